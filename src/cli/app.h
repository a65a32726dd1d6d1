// The command line: subcommands wired to the pipeline. main() calls run().
#pragma once

namespace bootmortem::cli {

int run(int argc, char** argv);

}  // namespace bootmortem::cli
