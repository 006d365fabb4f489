#include "telephony/telephony.hpp"

#include <sys/resource.h>

#include "media/detail/re.hpp"
#include <spdlog/spdlog.h>

#include "libre/timers.hpp"
#include "telephony/switchboard.hpp"

namespace crisisline::telephony {

namespace {

constexpr int kMaxFds = 16384;  // SIP over TCP connections, the media sockets, timers, with room to spare
constexpr int kStopId = 1;
constexpr int kTaskId = 2;

void Handle(int id, void* data, void* arg) {
    if (id == kStopId) {
        auto* board = static_cast<Switchboard*>(arg);
        board->HangUpAll();
        // Let the BYEs and CANCELs leave before the loop stops.
        static tmr stop_timer;
        tmr_init(&stop_timer);
        tmr_start(&stop_timer, 300, [](void*) { re_cancel(); }, nullptr);
        return;
    }
    std::unique_ptr<std::function<void()>> task(static_cast<std::function<void()>*>(data));
    (*task)();
}

}  // namespace

Telephony::Telephony(TelephonyConfig config, media::PromptSet prompts, records::CallLog& call_log,
                     records::PhoneRegistrations& registrations, events::Bus& bus, const Clock& clock,
                     std::function<void(double)> routing_latency)
    : config_(std::move(config)),
      prompts_(std::move(prompts)),
      call_log_(call_log),
      registrations_(registrations),
      bus_(bus),
      clock_(clock),
      routing_latency_(std::move(routing_latency)) {}

Telephony::~Telephony() { Stop(); }

Result<void> Telephony::Start(const records::TelephonyBook& book, const Carryover& carried) {
    std::promise<Result<void>> started;
    auto result = started.get_future();
    thread_ = std::thread([this, &book, &carried, &started] { Loop(book, carried, started); });
    auto r = result.get();
    if (!r) {
        thread_.join();
        return r;
    }
    return {};
}

void Telephony::Loop(const records::TelephonyBook& book, const Carryover& carried,
                     std::promise<Result<void>>& started) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < static_cast<rlim_t>(kMaxFds)) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, kMaxFds);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (libre_init() != 0) {
        started.set_value(Fail(ErrorCode::kInternal, "telephony: libre could not start"));
        return;
    }
    fd_setsize(kMaxFds);
    // libre's timers (SIP transactions included) are kept in libre/timers.hpp's calendar, woken by a timerfd
    // this loop polls; libre 1.1.0's own timer list would walk ~10,000 timers per insert at a busy hour.
    if (auto attached = libre::AttachTimers(); !attached) {
        libre_close();
        started.set_value(tl::unexpected(attached.error()));
        return;
    }
    Hooks hooks;
    hooks.call_log = &call_log_;
    hooks.registrations = &registrations_;
    hooks.bus = &bus_;
    hooks.post = [this](std::function<void()> task) { Post(std::move(task)); };
    hooks.routing_latency = routing_latency_;
    {
        auto board = std::make_unique<Switchboard>(config_, prompts_, hooks, clock_, counters_);
        auto opened = board->Open();
        mqueue* mq = nullptr;
        if (opened && mqueue_alloc(&mq, Handle, board.get()) != 0) {
            opened = Fail(ErrorCode::kInternal, "telephony: could not create the loop's queue");
        }
        if (!opened) {
            board.reset();
            mem_deref(mq);
            libre::DetachTimers();
            libre_close();
            started.set_value(tl::unexpected(opened.error()));
            return;
        }
        board->Load(book);
        board->Resume(carried.registrations, carried.cut_short);
        board_ = board.get();
        sip_port_ = board->SipPort();
        tls_port_ = board->TlsPort();
        {
            std::lock_guard lock(mu_);
            mqueue_ = mq;
        }
        started.set_value(Result<void>{});
        re_main(nullptr);
        {
            std::lock_guard lock(mu_);
            mqueue_ = nullptr;
        }
        board_ = nullptr;
        board.reset();
        mem_deref(mq);
    }
    libre::DetachTimers();
    libre_close();
}

void Telephony::Stop() {
    {
        std::lock_guard lock(mu_);
        if (mqueue_) mqueue_push(mqueue_, kStopId, nullptr);
    }
    if (thread_.joinable()) thread_.join();
}

bool Telephony::Post(std::function<void()> task) {
    std::lock_guard lock(mu_);
    if (!mqueue_) return false;
    auto* boxed = new std::function<void()>(std::move(task));
    if (mqueue_push(mqueue_, kTaskId, boxed) != 0) {
        delete boxed;
        return false;
    }
    return true;
}

template <class T>
Result<T> Telephony::Ask(std::function<Result<T>(Switchboard&)> question) {
    auto answer = std::make_shared<std::promise<Result<T>>>();
    auto future = answer->get_future();
    if (!Post([this, question, answer] { answer->set_value(question(*board_)); })) {
        return Fail(ErrorCode::kUnavailable, "telephony is not running");
    }
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
        return Fail(ErrorCode::kUnavailable, "telephony did not answer in time");
    }
    return future.get();
}

void Telephony::Reload(records::TelephonyBook book) {
    Post([this, book = std::move(book)] { board_->Load(book); });
}

void Telephony::ReplacePrompts(media::PromptSet prompts) {
    auto shared = std::make_shared<const media::PromptSet>(std::move(prompts));
    Post([this, shared] { board_->ReplacePrompts(shared); });
}

Result<void> Telephony::SetAvailability(const std::string& counsellor, acd::CounsellorState wanted) {
    return Ask<void>([counsellor, wanted](Switchboard& board) { return board.SetAvailability(counsellor, wanted); });
}

void Telephony::NoteOutcome(const std::string& call_id, bool cause_for_concern, bool escalated) {
    Post([this, call_id, cause_for_concern, escalated] { board_->NoteOutcome(call_id, cause_for_concern, escalated); });
}

Result<void> Telephony::ReloadTls() {
    return Ask<void>([](Switchboard& board) { return board.ReloadTls(); });
}

Result<void> Telephony::WrapUpDone(const std::string& counsellor) {
    return Ask<void>([counsellor](Switchboard& board) { return board.WrapUpDone(counsellor); });
}

Result<void> Telephony::CallBack(const std::string& follow_up_id, const std::string& line_id,
                                 const std::string& counsellor, std::string number,
                                 std::function<void(std::string outcome)> done) {
    return Ask<void>([=, number = std::move(number), done = std::move(done)](Switchboard& board) {
        return board.CallBack(follow_up_id, line_id, counsellor, number, done);
    });
}

Result<Telephony::BrowserPhone> Telephony::HoldBrowserPhone(const std::string& counsellor, const std::string& tab,
                                                            bool take_over, std::int64_t expires_s) {
    return Ask<BrowserPhone>([=](Switchboard& board) -> Result<BrowserPhone> {
        auto held = board.HoldBrowserPhone(counsellor, tab, take_over, expires_s);
        if (!held) return tl::unexpected(held.error());
        return BrowserPhone{held->tab, held->previous_tab};
    });
}

Result<void> Telephony::ReleaseBrowserPhone(const std::string& counsellor, const std::string& tab) {
    return Ask<void>([=](Switchboard& board) { return board.ReleaseBrowserPhone(counsellor, tab); });
}

Result<std::string> Telephony::AnswerInBrowser(const std::string& counsellor, const std::string& call_id,
                                               std::string offer, std::function<bool(const std::string&)> serves) {
    return Ask<std::string>([=, offer = std::move(offer), serves = std::move(serves)](Switchboard& board) {
        return board.AnswerInBrowser(counsellor, call_id, offer, serves);
    });
}

Result<std::string> Telephony::ReofferFromBrowser(const std::string& counsellor, const std::string& call_id,
                                                  std::string offer, std::function<bool(const std::string&)> serves) {
    return Ask<std::string>([=, offer = std::move(offer), serves = std::move(serves)](Switchboard& board) {
        return board.ReofferFromBrowser(counsellor, call_id, offer, serves);
    });
}

Result<void> Telephony::HangUpInBrowser(const std::string& counsellor, const std::string& call_id) {
    return Ask<void>([=](Switchboard& board) { return board.HangUpInBrowser(counsellor, call_id); });
}

Result<void> Telephony::ReportBrowserQuality(const std::string& counsellor, const std::string& call_id,
                                             CallQuality quality) {
    return Ask<void>([=](Switchboard& board) { return board.ReportBrowserQuality(counsellor, call_id, quality); });
}

Result<TransferStarted> Telephony::TransferCall(const std::string& counsellor, const std::string& call_id,
                                                TransferTarget to, std::function<bool(const std::string&)> serves) {
    return Ask<TransferStarted>([=, to = std::move(to), serves = std::move(serves)](Switchboard& board) {
        return board.TransferCall(counsellor, call_id, to, serves);
    });
}

Result<CallControl> Telephony::ConsultCall(const std::string& counsellor, const std::string& call_id, std::string to,
                                           std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, to = std::move(to), serves = std::move(serves)](Switchboard& board) {
        return board.ConsultCall(counsellor, call_id, to, serves);
    });
}

Result<TransferStarted> Telephony::CompleteConsult(const std::string& counsellor, const std::string& call_id,
                                                   std::function<bool(const std::string&)> serves) {
    return Ask<TransferStarted>([=, serves = std::move(serves)](Switchboard& board) {
        return board.CompleteConsult(counsellor, call_id, serves);
    });
}

Result<CallControl> Telephony::CancelConsult(const std::string& counsellor, const std::string& call_id,
                                             std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, serves = std::move(serves)](Switchboard& board) {
        return board.CancelConsult(counsellor, call_id, serves);
    });
}

Result<TransferTargets> Telephony::TransferTargetsOf(const std::string& counsellor, const std::string& call_id,
                                                     std::function<bool(const std::string&)> serves) {
    return Ask<TransferTargets>([=, serves = std::move(serves)](Switchboard& board) {
        return board.TransferTargetsOf(counsellor, call_id, serves);
    });
}

Result<std::string> Telephony::OfferCall(const std::string& supervisor, const std::string& call_id,
                                         const std::string& counsellor, std::function<bool(const std::string&)> serves) {
    return Ask<std::string>([=, serves = std::move(serves)](Switchboard& board) {
        return board.OfferCall(supervisor, call_id, counsellor, serves);
    });
}

Result<OfferTargets> Telephony::OfferTargetsOf(const std::string& call_id,
                                               std::function<bool(const std::string&)> serves) {
    return Ask<OfferTargets>([=, serves = std::move(serves)](Switchboard& board) {
        return board.OfferTargetsOf(call_id, serves);
    });
}

Result<CallControl> Telephony::HoldCall(const std::string& counsellor, const std::string& call_id, bool hold,
                                        std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, serves = std::move(serves)](Switchboard& board) {
        return board.HoldCall(counsellor, call_id, hold, serves);
    });
}

Result<CallControl> Telephony::AddToConference(const std::string& counsellor, const std::string& call_id,
                                               ConferenceTarget to, std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, to = std::move(to), serves = std::move(serves)](Switchboard& board) {
        return board.AddToConference(counsellor, call_id, to, serves);
    });
}

Result<CallControl> Telephony::DropFromConference(const std::string& counsellor, const std::string& call_id,
                                                  std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, serves = std::move(serves)](Switchboard& board) {
        return board.DropFromConference(counsellor, call_id, serves);
    });
}

Result<TransferStarted> Telephony::LeaveConference(const std::string& counsellor, const std::string& call_id,
                                                   std::function<bool(const std::string&)> serves) {
    return Ask<TransferStarted>([=, serves = std::move(serves)](Switchboard& board) {
        return board.LeaveConference(counsellor, call_id, serves);
    });
}

Result<CallControl> Telephony::Monitor(const std::string& supervisor, const std::string& call_id,
                                       media::MonitorMode mode, std::function<bool(const std::string&)> serves) {
    return Ask<CallControl>([=, serves = std::move(serves)](Switchboard& board) {
        return board.Monitor(supervisor, call_id, mode, serves);
    });
}

Result<void> Telephony::StopMonitoring(const std::string& supervisor, const std::string& call_id) {
    return Ask<void>([=](Switchboard& board) { return board.StopMonitoring(supervisor, call_id); });
}

void Telephony::BrowserTabFeed(const std::string& counsellor, const std::string& tab, bool open,
                               std::int64_t grace_s) {
    Post([this, counsellor, tab, open, grace_s] { board_->BrowserTabFeed(counsellor, tab, open, grace_s); });
}

Result<Telephony::Live> Telephony::Snapshot() {
    return Ask<Live>([](Switchboard& board) -> Result<Live> {
        Live live;
        live.state = board.Snapshot();
        for (const auto& c : board.Counsellors()) {
            auto& info = live.counsellors[c.staff_id];
            info.display_name = c.display_name;
            info.lines = c.lines;
        }
        for (const auto& id : board.RegisteredPhones()) live.counsellors[id].registered = true;
        for (const auto& id : board.BrowserPhones()) {
            auto& info = live.counsellors[id];
            info.browser = true;
            auto q = board.BrowserQuality().find(id);
            if (q != board.BrowserQuality().end()) info.quality = q->second;
        }
        live.outcomes = board.Outcomes();
        live.controls = board.CallControls();
        live.legs = board.BridgedLegs();
        return live;
    });
}

}  // namespace crisisline::telephony
