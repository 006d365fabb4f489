#include "telephony/switchboard.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <sodium.h>

#include <spdlog/spdlog.h>

#include "crypto/caller_id.hpp"
#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/media_path.hpp"
#include "telephony/request_checks.hpp"
#include "telephony/sip_sockets.hpp"

namespace crisisline::telephony {

namespace {

constexpr std::uint64_t kTickMs = 20;

acd::Strategy StrategyOf(const std::string& name) {
    return name == "ring_all" ? acd::Strategy::kRingAll : acd::Strategy::kLongestIdle;
}

acd::LinePolicy PolicyOf(const records::PhoneRouting& r) {
    acd::LinePolicy p;
    p.strategy = StrategyOf(r.strategy);
    p.ring_timeout = r.ring_timeout_s * kSecondMs;
    p.wrap_up = r.wrap_up_s * kSecondMs;
    p.wrap_up_after_concern = r.wrap_up_after_concern_s * kSecondMs;
    p.overflow_after = r.overflow_after_s ? std::optional<TimeMs>(*r.overflow_after_s * kSecondMs) : std::nullopt;
    p.announce_every = r.announce_every_s ? std::optional<TimeMs>(*r.announce_every_s * kSecondMs) : std::nullopt;
    if (r.overflow_to.rfind("line:", 0) == 0) p.overflow_pool = r.overflow_to.substr(5);
    p.encrypted_phones_only = r.every_leg_encrypted;
    return p;
}

}  // namespace

Switchboard::Switchboard(TelephonyConfig config, media::PromptSet prompts, Hooks hooks, const Clock& clock,
                         Counters& counters)
    : config_(std::move(config)),
      prompts_(std::make_shared<const media::PromptSet>(std::move(prompts))),
      hooks_(std::move(hooks)),
      clock_(clock),
      counters_(counters),
      call_rate_(config_.trunk_calls_per_s) {
    trunks_ = config_.trunks;
}

Switchboard::~Switchboard() {
    if (tick_fd_ >= 0) {
        fd_close(tick_fd_);
        close(tick_fd_);
    }
    calls_.clear();
    follow_ups_.clear();
    graveyard_.clear();
    call_graveyard_.clear();
    follow_up_graveyard_.clear();
    mem_deref(scratch_);
    mem_deref(lsnr_);
    mem_deref(sock_);
    if (sip_) sip_close(sip_, true);
    mem_deref(sip_);
}

Result<void> Switchboard::Open() {
    auto hp = SplitHostPort(config_.listen, "telephony.listen");
    if (!hp) return tl::unexpected(hp.error());
    sa laddr;
    if (sa_set_str(&laddr, hp->first.c_str(), hp->second) != 0) {
        return Fail(ErrorCode::kInvalid, "telephony.listen", "'" + hp->first + "' is not an IP address");
    }
    // Hash table sizes: a finished UDP transaction lingers 32 s (RFC 3261 timers J/K), so at 100 calls/s
    // some 10,000 transactions are alive at once; small tables turn every lookup into a long list walk.
    if (sip_alloc(&sip_, nullptr, 8192, 8192, 1024, "crisisline", nullptr, nullptr) != 0) {
        return Fail(ErrorCode::kInternal, "could not start the SIP stack");
    }
    if (sip_transp_add(sip_, SIP_TRANSP_UDP, &laddr) != 0) {
        return Fail(ErrorCode::kUnavailable, "SIP cannot listen on udp " + config_.listen + " (address in use?)");
    }
    sa bound;
    sip_transp_laddr(sip_, &bound, SIP_TRANSP_UDP, nullptr);
    sip_port_ = sa_port(&bound);
    EnlargeUdpReceiveBuffer(sip_port_, 8 * 1024 * 1024);
    sa tcp_addr = laddr;
    sa_set_port(&tcp_addr, sip_port_);
    if (sip_transp_add(sip_, SIP_TRANSP_TCP, &tcp_addr) != 0) {
        return Fail(ErrorCode::kUnavailable,
                    "SIP cannot listen on tcp " + hp->first + ":" + std::to_string(sip_port_) + " (address in use?)");
    }
    RaiseTcpBacklog(sip_port_, SOMAXCONN);
    if (auto tls = OpenTls(); !tls) return tl::unexpected(tls.error());
    // Our own listener first: REGISTER, OPTIONS, and INVITEs refused before a session exists.
    if (sip_listen(&lsnr_, sip_, true, Callbacks::Request, this) != 0 ||
        sipsess_listen(&sock_, sip_, 4096, Callbacks::Invite, this) != 0) {
        return Fail(ErrorCode::kInternal, "could not listen for SIP requests");
    }
    tick_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    itimerspec every{};
    every.it_interval.tv_nsec = static_cast<long>(kTickMs) * 1000 * 1000;
    every.it_value = every.it_interval;
    if (tick_fd_ < 0 || timerfd_settime(tick_fd_, 0, &every, nullptr) != 0 ||
        fd_listen(tick_fd_, FD_READ, Callbacks::TickFd, this) != 0) {
        return Fail(ErrorCode::kInternal, "could not start the media clock");
    }
    if (auto opened = media_.Open(config_.rtp_address, config_.rtp_port_min, config_.rtp_port_max,
                                  config_.media_sockets, Callbacks::Rtp, this);
        !opened) {
        return tl::unexpected(opened.error());
    }
    media_.SetBrowserHandlers(Callbacks::Stun, Callbacks::Secure);
    auto identity = DtlsCertificate::Generate();
    if (!identity) return tl::unexpected(identity.error());
    dtls_identity_ = *identity;
    if (auto listening = media_.Listen(); !listening) return tl::unexpected(listening.error());
    spdlog::info("telephony: SIP on udp and tcp {}:{}, media on {} ports {}-{} ({} sockets)", hp->first, sip_port_,
                 config_.rtp_address, media_.Port(0), media_.Port(media_.Count() - 1), media_.Count());
    if (tls_) spdlog::info("telephony: SIP over TLS on {} (port {}), certificate {}", config_.tls_listen, tls_port_,
                           config_.tls_certificate);
    if (!prompts_->warnings.empty()) {
        // One line, not one per file: a fresh install without rendered prompts is normal in tests.
        spdlog::warn("telephony prompts: {} of {} fall back to generated audio; first: {}", prompts_->warnings.size(),
                     media::PromptNames().size(), prompts_->warnings.front());
    }
    return {};
}

void Switchboard::ReplacePrompts(std::shared_ptr<const media::PromptSet> prompts) {
    prompts_ = std::move(prompts);
    spdlog::info("telephony: prompts replaced; new calls hear them ({} fall back to generated audio)",
                 prompts_->fell_back.size());
}

void Switchboard::Load(const records::TelephonyBook& book) {
    auto now = Now();
    trunks_ = config_.trunks;
    for (const auto& trunk : book.trunks) {
        const bool configured = std::any_of(config_.trunks.begin(), config_.trunks.end(),
                                            [&](const Trunk& t) { return t.name == trunk.name; });
        if (!configured) trunks_.push_back(trunk);  // the file wins; the API refuses such names anyway
    }
    line_by_number_.clear();
    lines_.clear();
    for (const auto& line : book.lines) {
        lines_[line.id] = line;
        for (const auto& number : line.numbers) {
            auto normal = crypto::NormalisePhoneNumber(number);
            line_by_number_[normal ? *normal : number] = line;
        }
        if (auto set = router_.SetLinePolicy(line.id, PolicyOf(line.routing)); !set) {
            spdlog::warn("telephony: line {} routing refused: {}", line.id, set.error().message);
        }
    }
    std::map<std::string, Account> accounts;
    std::map<std::string, std::string> username_of;
    for (const auto& c : book.counsellors) {
        Account account;
        account.counsellor = c;
        // The book is re-read every 30 s: keep the digest secret when the password has not changed
        // (a thousand MD5s on the telephony thread would stall media for milliseconds).
        auto known = accounts_.find(c.sip_username);
        if (known != accounts_.end() && known->second.counsellor.sip_password == c.sip_password) {
            std::copy(std::begin(known->second.ha1), std::end(known->second.ha1), account.ha1);
        } else {
            auto ha1 = DigestHa1(c.sip_username, config_.realm, c.sip_password);
            std::copy(ha1.begin(), ha1.end(), account.ha1);
        }
        accounts[c.sip_username] = account;
        username_of[c.staff_id] = c.sip_username;
        acd::CounsellorProfile profile;
        profile.id = c.staff_id;
        profile.lines = c.lines;
        profile.languages.clear();
        for (const auto& l : c.languages) {
            profile.languages.push_back(l == "cy" ? acd::Language::kWelsh : acd::Language::kEnglish);
        }
        if (profile.languages.empty()) profile.languages = {acd::Language::kEnglish};
        profile.specialisms = c.specialisms;
        // Re-read every 30 s: hand the Router only what changed (it refuses changes during a call;
        // those are retried at the next reload).
        auto before = accounts_.find(c.sip_username);
        bool unchanged = before != accounts_.end() && before->second.counsellor.staff_id == c.staff_id &&
                         before->second.counsellor.lines == c.lines &&
                         before->second.counsellor.languages == c.languages &&
                         before->second.counsellor.specialisms == c.specialisms && before->second.applied;
        if (unchanged) {
            accounts[c.sip_username].applied = true;
            continue;
        }
        auto set = router_.SetCounsellorProfile(profile, now);
        accounts[c.sip_username].applied = set.has_value();
        if (set) {
            Apply(std::move(*set));
        } else if (set.error().code != ErrorCode::kConflict) {
            spdlog::warn("telephony: counsellor {} profile refused: {}", c.staff_id, set.error().message);
        }
    }
    // Someone who lost their SIP account (or their counsellor role) takes no more calls.
    for (const auto& [id, username] : username_of_) {
        if (!username_of.count(id)) Apply(router_.SetAvailability(id, acd::CounsellorState::kOffline, now), "removed");
    }
    for (auto it = bindings_.begin(); it != bindings_.end();) {
        if (accounts.count(it->first)) {
            ++it;
            continue;
        }
        if (hooks_.registrations) hooks_.registrations->Unregistered(it->first);
        it = bindings_.erase(it);
    }
    accounts_ = std::move(accounts);
    username_of_ = std::move(username_of);
    counters_.registered_phones = static_cast<std::int64_t>(bindings_.size());
    // An account's encryption may have changed, or its profile reached the Router only now.
    std::vector<std::string> bound;  // copied: routing what it changes must not walk a map it may alter
    for (const auto& [username, binding] : bindings_) bound.push_back(username);
    for (const auto& username : bound) NotePhoneEncryption(username);
}

Result<void> Switchboard::SetAvailability(const std::string& counsellor, acd::CounsellorState wanted) {
    if (!username_of_.count(counsellor)) {
        return Fail(ErrorCode::kNotFound, "counsellor", "has no phone account on this service");
    }
    routing_event_at_ = std::chrono::steady_clock::now();
    auto commands = router_.SetAvailability(counsellor, wanted, Now());
    if (!commands) return tl::unexpected(commands.error());
    Apply(std::move(*commands));
    return {};
}

Result<void> Switchboard::WrapUpDone(const std::string& counsellor) {
    routing_event_at_ = std::chrono::steady_clock::now();
    auto commands = router_.WrapUpDone(counsellor, Now());
    if (!commands) return tl::unexpected(commands.error());
    Apply(std::move(*commands));
    return {};
}

acd::LiveState Switchboard::Snapshot() const { return router_.Snapshot(Now()); }

std::vector<std::string> Switchboard::RegisteredPhones() const {
    std::vector<std::string> out;
    auto now = Now();
    for (const auto& [username, binding] : bindings_) {
        if (binding.expires_ms > now) out.push_back(binding.counsellor);
    }
    return out;
}

std::vector<records::PhoneCounsellor> Switchboard::Counsellors() const {
    std::vector<records::PhoneCounsellor> out;
    for (const auto& [username, account] : accounts_) {
        out.push_back(account.counsellor);
        out.back().sip_password.clear();
    }
    return out;
}

bool Switchboard::OnRequest(const sip_msg* msg) {
    CountRequest(msg);
    if (auto refusal = CheckRequest(*msg)) {
        char from[64] = {};
        sa_ntop(&msg->src, from, sizeof from);
        spdlog::warn("telephony: {} from {} refused: {} {}", PlText(msg->met), from, refusal->status,
                     refusal->reason);
        if (pl_strcmp(&msg->met, "INVITE") == 0) ++counters_.calls_refused;
        if (pl_strcmp(&msg->met, "ACK") != 0) {
            sip_treplyf(nullptr, nullptr, sip_, msg, false, refusal->status, refusal->reason.c_str(),
                        "%sContent-Length: 0\r\n\r\n", refusal->headers.c_str());
        }
        return true;
    }
    if (pl_strcmp(&msg->met, "REGISTER") == 0) {
        OnRegister(msg);
        return true;
    }
    if (pl_strcmp(&msg->met, "OPTIONS") == 0) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 200, "OK",
                    "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER\r\n"
                    "Accept: application/sdp\r\n"
                    "Content-Length: 0\r\n\r\n");
        return true;
    }
    if (RefuseForged(msg)) return true;
    if (pl_strcmp(&msg->met, "INVITE") == 0 || pl_strcmp(&msg->met, "ACK") == 0 ||
        pl_strcmp(&msg->met, "BYE") == 0 || pl_strcmp(&msg->met, "CANCEL") == 0) {
        return false;  // sessions
    }
    if (pl_strcmp(&msg->met, "INFO") == 0 || pl_strcmp(&msg->met, "REFER") == 0) return false;
    sip_treplyf(nullptr, nullptr, sip_, msg, false, 405, "Method Not Allowed",
                "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER\r\nContent-Length: 0\r\n\r\n");
    return true;
}

void Switchboard::Publish(const std::string& type, const Call* call, const std::string& counsellor,
                          nlohmann::json data) {
    if (!hooks_.bus) return;
    events::Event e;
    e.at = Now();
    e.type = type;
    if (call) {
        e.line = call->record.line_id;
        data["call"] = call->id;
    }
    e.counsellor = counsellor;
    e.data = std::move(data);
    hooks_.bus->Publish(std::move(e));
}

void Switchboard::RefreshGauges() {
    auto live = router_.Snapshot(Now());
    counters_.queue_length = static_cast<std::int64_t>(live.waiting.size());
    counters_.longest_wait_ms = live.longest_wait_ms;
    counters_.active_calls = static_cast<std::int64_t>(live.active.size());
    std::int64_t encrypted = 0, plain = 0;
    for (const auto& [id, call] : calls_) {
        if (call->phase != CallPhase::kBridged || !call->caller || !call->bridged) continue;
        const bool both = std::string_view(LegEncryption(*call->caller)) != "plain" &&
                          std::string_view(LegEncryption(*call->bridged)) != "plain";
        ++(both ? encrypted : plain);
    }
    counters_.active_encrypted = encrypted;
    counters_.active_plain = plain;
    auto queues = SummariseQueues(live);
    if (hooks_.bus) {
        for (const auto& [line, summary] : ChangedQueues(queues_, queues)) {
            events::Event e;
            e.at = Now();
            e.type = "queue.summary";
            e.line = line;
            e.data = {{"waiting", summary.waiting}, {"longest_wait_ms", summary.longest_wait_ms}};
            hooks_.bus->Publish(std::move(e));
        }
    }
    queues_ = std::move(queues);
}

Call* Switchboard::FindCall(const std::string& id) {
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : it->second.get();
}

void Switchboard::Retire(std::unique_ptr<Leg> leg) {
    if (!leg) return;
    leg->state = LegState::kGone;
    if (leg->peer) leg->peer->peer = nullptr;
    leg->peer = nullptr;
    graveyard_.push_back(std::move(leg));
}

void Switchboard::Retire(Call& call) {
    auto it = calls_.find(call.id);
    if (it == calls_.end()) return;
    call.choice_deadline = 0;
    Retire(std::move(call.caller));
    for (auto& [id, leg] : call.phones) Retire(std::move(leg));
    call.phones.clear();
    Retire(std::move(call.overflow));
    if (call.monitoring) Retire(std::move(call.monitoring->leg));
    if (call.conference) Retire(std::move(call.conference->leg));
    if (call.consult) Retire(std::move(call.consult->desk));
    Retire(std::move(call.external));
    call.bridged = nullptr;
    call_graveyard_.push_back(std::move(it->second));
    calls_.erase(it);
}

void Switchboard::Collect() {
    graveyard_.clear();
    follow_up_graveyard_.clear();
    call_graveyard_.clear();
}

void Switchboard::HangUpAll() {
    stopping_ = true;
    std::vector<std::string> ids;
    for (const auto& [id, call] : calls_) ids.push_back(id);
    for (const auto& id : ids) {
        if (auto* call = FindCall(id)) EndCall(*call, call->phase == CallPhase::kBridged ? "completed" : "failed");
    }
    std::vector<std::string> follow_ups;
    for (const auto& [id, state] : follow_ups_) follow_ups.push_back(id);
    for (const auto& id : follow_ups) {
        auto it = follow_ups_.find(id);
        if (it != follow_ups_.end()) FinishFollowUp(*it->second.call, it->second.call->connected ? "connected" : "failed");
    }
}

}  // namespace crisisline::telephony
