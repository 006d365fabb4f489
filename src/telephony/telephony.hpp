#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "acd/acd.hpp"
#include "core/clock.hpp"
#include "events/bus.hpp"
#include "media/monitor_mix.hpp"
#include "media/prompt_set.hpp"
#include "records/call_log.hpp"
#include "records/phone_registrations.hpp"
#include "telephony/call_control.hpp"
#include "telephony/call_quality.hpp"
#include "telephony/config.hpp"
#include "telephony/counters.hpp"

struct mqueue;

// telephony: the SIP side of the service, on its own thread (the telephony
// loop, running libre's re_main). Other threads talk to it only through this
// class, which hands their requests over with libre's mqueue.
namespace crisisline::telephony {

class Switchboard;

// What the previous process left, taken up at Start (see Switchboard::Resume).
struct Carryover {
    std::vector<records::PhoneRegistration> registrations;  // records::PhoneRegistrations::Load
    std::vector<records::CallRecord> cut_short;             // records::CallLog::EndUnfinished
};

// Thread-safe.
class Telephony {
public:
    // `routing_latency` (may be empty) receives each ring's routing time in seconds, on the loop thread.
    // Every change of a phone's registration is kept through `registrations`.
    Telephony(TelephonyConfig config, media::PromptSet prompts, records::CallLog& call_log,
              records::PhoneRegistrations& registrations, events::Bus& bus, const Clock& clock,
              std::function<void(double)> routing_latency = {});
    ~Telephony();  // Stop()

    // Starts the loop thread, binds SIP, loads `book` and takes up `carried` (registrations restored, calls
    // cut short wrapped up) before the first SIP message is read. Fails with one clear line (kUnavailable:
    // address in use) and leaves nothing running.
    [[nodiscard]] Result<void> Start(const records::TelephonyBook& book, const Carryover& carried = {});
    // Hangs up every call (their records are written), then stops the loop. Idempotent.
    void Stop();

    // Replaces lines, counsellors and trunks (after an administrator's change).
    void Reload(records::TelephonyBook book);
    // New calls hear `prompts` (after an administrator replaced a recording); calls in
    // progress finish with the prompts they began with. Does not wait.
    void ReplacePrompts(media::PromptSet prompts);

    // A counsellor's own availability (kAvailable, kBreak, kOffline). Waits for
    // the loop's answer (at most 2 s: kUnavailable after that).
    [[nodiscard]] Result<void> SetAvailability(const std::string& counsellor, acd::CounsellorState wanted);
    [[nodiscard]] Result<void> WrapUpDone(const std::string& counsellor);
    // Does not wait. See Switchboard::NoteOutcome.
    void NoteOutcome(const std::string& call_id, bool cause_for_concern, bool escalated);

    // A follow-up call: rings the counsellor's phone, then dials `number` (see
    // Switchboard::CallBack for the outcomes and errors). `done` runs on the
    // telephony loop and must not block: hand the outcome to another thread.
    [[nodiscard]] Result<void> CallBack(const std::string& follow_up_id, const std::string& line_id,
                                        const std::string& counsellor, std::string number,
                                        std::function<void(std::string outcome)> done);

    // Browser phones (Switchboard::HoldBrowserPhone and after): each waits for the loop's answer (at most 2 s).
    struct BrowserPhone {
        std::string tab;
        std::string previous_tab;  // the tab it was taken over from, or empty
    };
    [[nodiscard]] Result<BrowserPhone> HoldBrowserPhone(const std::string& counsellor, const std::string& tab,
                                                        bool take_over, std::int64_t expires_s);
    [[nodiscard]] Result<void> ReleaseBrowserPhone(const std::string& counsellor, const std::string& tab);
    // `serves` runs on the loop thread: it must not block (a check of the principal's lines).
    [[nodiscard]] Result<std::string> AnswerInBrowser(const std::string& counsellor, const std::string& call_id,
                                                      std::string offer, std::function<bool(const std::string&)> serves);
    // Switchboard::ReofferFromBrowser; `serves` as for AnswerInBrowser.
    [[nodiscard]] Result<std::string> ReofferFromBrowser(const std::string& counsellor, const std::string& call_id,
                                                         std::string offer,
                                                         std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<void> HangUpInBrowser(const std::string& counsellor, const std::string& call_id);
    // See Switchboard::ReportBrowserQuality.
    [[nodiscard]] Result<void> ReportBrowserQuality(const std::string& counsellor, const std::string& call_id,
                                                    CallQuality quality);
    // The tab's live feed closed or opened again (Switchboard::BrowserTabFeed). Does not wait.
    void BrowserTabFeed(const std::string& counsellor, const std::string& tab, bool open, std::int64_t grace_s);

    // Hold and resume from the console (Switchboard::HoldCall): waits for the loop's answer (at most 2 s).
    // `serves` runs on the loop thread and must not block.
    [[nodiscard]] Result<CallControl> HoldCall(const std::string& counsellor, const std::string& call_id, bool hold,
                                               std::function<bool(const std::string&)> serves);
    // Blind transfer from the console (Switchboard::TransferCall, TransferTargetsOf): each waits for the loop
    // (at most 2 s). `serves` runs on the loop thread and must not block.
    [[nodiscard]] Result<TransferStarted> TransferCall(const std::string& counsellor, const std::string& call_id,
                                                       TransferTarget to,
                                                       std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<TransferTargets> TransferTargetsOf(const std::string& counsellor, const std::string& call_id,
                                                            std::function<bool(const std::string&)> serves);
    // Reassign a waiting caller (Switchboard::OfferCall, OfferTargetsOf): each waits for the loop (at most 2 s).
    // OfferCall returns the call's line. `serves` runs on the loop thread and must not block.
    [[nodiscard]] Result<std::string> OfferCall(const std::string& supervisor, const std::string& call_id,
                                                const std::string& counsellor,
                                                std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<OfferTargets> OfferTargetsOf(const std::string& call_id,
                                                      std::function<bool(const std::string&)> serves);
    // Warm transfer (Switchboard::ConsultCall, CompleteConsult, CancelConsult): each waits for the loop (2 s).
    // `serves` runs on the loop thread and must not block.
    [[nodiscard]] Result<CallControl> ConsultCall(const std::string& counsellor, const std::string& call_id,
                                                  std::string to, std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<TransferStarted> CompleteConsult(const std::string& counsellor, const std::string& call_id,
                                                          std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<CallControl> CancelConsult(const std::string& counsellor, const std::string& call_id,
                                                    std::function<bool(const std::string&)> serves);
    // Three-party conference (Switchboard::AddToConference, DropFromConference, LeaveConference): each waits
    // for the loop (at most 2 s). `serves` runs on the loop thread and must not block.
    [[nodiscard]] Result<CallControl> AddToConference(const std::string& counsellor, const std::string& call_id,
                                                      ConferenceTarget to, std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<CallControl> DropFromConference(const std::string& counsellor, const std::string& call_id,
                                                         std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<TransferStarted> LeaveConference(const std::string& counsellor, const std::string& call_id,
                                                          std::function<bool(const std::string&)> serves);
    // Supervisor listen / coach / join (Switchboard::Monitor, StopMonitoring): each waits for the loop (2 s).
    [[nodiscard]] Result<CallControl> Monitor(const std::string& supervisor, const std::string& call_id,
                                              media::MonitorMode mode, std::function<bool(const std::string&)> serves);
    [[nodiscard]] Result<void> StopMonitoring(const std::string& supervisor, const std::string& call_id);

    // The current queue and counsellor states, and which phones are registered.
    struct CounsellorInfo {
        std::string display_name;
        std::vector<std::string> lines;
        bool registered = false;  // their phone has a live registration
        bool browser = false;     // that registration is a browser tab's: they answer in the browser
        std::optional<CallQuality> quality;  // browser: the latest quality their browser reported, if any
    };
    struct Live {
        acd::LiveState state;
        std::map<std::string, CounsellorInfo> counsellors;  // by staff id
        // What the counsellors have recorded on calls still in progress (NoteOutcome), by call id: flags only.
        std::map<std::string, acd::CallOutcome> outcomes;
        // Calls under control (held, monitored), by call id: ids, flags and timings only.
        std::map<std::string, CallControl> controls;
        // Every bridged call's legs by how their media is protected, by call id: flags only.
        std::map<std::string, CallLegs> legs;
    };
    [[nodiscard]] Result<Live> Snapshot();

    // Re-reads the SIP TLS certificate and key (SIGHUP): new handshakes present them; calls and connections
    // already up go on. Waits for the loop (at most 2 s). See Switchboard::ReloadTls.
    [[nodiscard]] Result<void> ReloadTls();

    std::uint16_t SipPort() const { return sip_port_; }
    std::uint16_t TlsPort() const { return tls_port_; }  // 0 without telephony.tls_listen
    const Counters& counters() const { return counters_; }

private:
    // Runs `task` on the loop thread; false when the loop is not running.
    bool Post(std::function<void()> task);
    template <class T>
    Result<T> Ask(std::function<Result<T>(Switchboard&)> question);
    void Loop(const records::TelephonyBook& book, const Carryover& carried, std::promise<Result<void>>& started);

    TelephonyConfig config_;
    media::PromptSet prompts_;
    records::CallLog& call_log_;
    records::PhoneRegistrations& registrations_;
    events::Bus& bus_;
    const Clock& clock_;
    std::function<void(double)> routing_latency_;
    Counters counters_;

    std::mutex mu_;  // guards mqueue_ against Stop
    ::mqueue* mqueue_ = nullptr;
    Switchboard* board_ = nullptr;  // loop thread only
    std::thread thread_;
    std::uint16_t sip_port_ = 0;
    std::uint16_t tls_port_ = 0;
};

}  // namespace crisisline::telephony
