#include "cli/app.h"

int main(int argc, char** argv) { return bootmortem::cli::run(argc, argv); }
