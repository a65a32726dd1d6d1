// Rules against one Evidence: which hold, their captures, their cited
// evidence, filled templates and config edits, ranked most likely first.
#pragma once

#include <vector>

#include "evidence/evidence.h"
#include "rules/loader.h"
#include "rules/rules.h"

namespace bootmortem::rules {

// score = confidence, plus up to 0.1 for the position of the latest syscall
// the rule's conditions matched among all the trace's failures (the later,
// the closer to the exit and the likelier the cause).
std::vector<Finding> match_rules(const std::vector<Rule>& rules, const PatternTables& tables,
                                 const evidence::Evidence& ev);

}  // namespace bootmortem::rules
