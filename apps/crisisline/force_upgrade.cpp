#include "force_upgrade.hpp"

#include <spdlog/spdlog.h>

#include "records/force_backfill.hpp"

namespace crisisline::app {

ForceUpgrade::ForceUpgrade(records::Services services) : services_(services), thread_([this] { Run(); }) {}

ForceUpgrade::~ForceUpgrade() {
    stop_ = true;
    thread_.join();
}

void ForceUpgrade::Run() {
    records::ForceBackfill backfill(services_);
    for (;;) {
        if (stop_) {
            spdlog::info(
                "upgrade: stopped with the server after sealing the force of {} contacts; the next start "
                "goes on",
                backfill.Counts().sealed);
            return;
        }
        auto more = backfill.Step();
        if (!more) {
            spdlog::error(
                "upgrade: sealing the force of contacts written before schema version 8 failed after {} "
                "(the next start tries again): {}",
                backfill.Counts().sealed, more.error().message);
            return;
        }
        if (!*more) break;
    }
    if (backfill.DoneBefore()) {
        spdlog::debug("upgrade: the force of contacts written before schema version 8 was sealed before; nothing read");
        return;
    }
    const auto& counts = backfill.Counts();
    // The pass that went through every contact; only one that sealed one or found one it could not open says so
    // above debug. No later start reads them again.
    const auto level = counts.sealed > 0 || counts.unreadable > 0 ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(level,
                "upgrade: sealed the force of {} contacts written before schema version 8 ({} name no force, {} "
                "could not be opened)",
                counts.sealed, counts.without_force, counts.unreadable);
}

}  // namespace crisisline::app
