#pragma once

#include <vector>

#include "store/rows.hpp"

namespace crisisline::records {

// One call, one count. A call carried on to another counsellor (the first counsellor's connection failed, or
// they transferred it) is a chain of contacts: each later one's facts name the one before in call.continues.
// For the counts of the reports and of retention it is one contact, counted once, on the line and in the
// period where it began.
//
// Returns one row per call in `contacts`: the first contact of each chain, with the coded facts of the whole
// chain merged into its facts_json (a fact recorded later along the chain wins; lists are joined without
// repeats; cause_for_concern and imminent_risk are true if any contact says so; the force sealed last along the chain
// in force_sealed, with the id it was sealed for in the facts, records/sealed_force.hpp), answered_at the first
// answer along the chain. A contact that continues one not in `contacts` (another line's, or one of an earlier
// period or already purged) is left out: it was counted where its call began. Order: that of the first
// contacts in `contacts`. Pure; a row whose facts do not parse is kept as it is.
std::vector<store::ContactRow> OneRowPerCall(std::vector<store::ContactRow> contacts);

}  // namespace crisisline::records
