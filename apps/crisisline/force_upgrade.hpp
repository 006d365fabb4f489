#pragma once

#include <atomic>
#include <thread>

#include "records/services.hpp"

namespace crisisline::app {

// The upgrade of contacts written before schema version 8 (records::ForceBackfill), run by `serve` on a thread of
// its own from start, so that start-up does not wait for it: one bounded batch at a time, the storage writer's
// other units (a call's record, a counsellor's save) taking their turn between batches; telephony never waits on
// it. When done it logs one line of counts ("upgrade: ..."), nothing of any contact, and the store records it done:
// later starts read nothing. On a failure it logs the error and stops, and the next start goes on where it left off
// (a contact already sealed is not read again).
// Destroying it stops it after the batch in progress. REQUIRES: what `services` refers to outlives it.
class ForceUpgrade {
public:
    explicit ForceUpgrade(records::Services services);
    ~ForceUpgrade();

    ForceUpgrade(const ForceUpgrade&) = delete;
    ForceUpgrade& operator=(const ForceUpgrade&) = delete;

private:
    void Run();

    records::Services services_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace crisisline::app
