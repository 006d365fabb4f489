#include "records/contacts.hpp"

#include <algorithm>
#include <map>

#include "records/contact_input.hpp"
#include "records/sealed_force.hpp"
#include "reference/reference.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

constexpr TimeMs kRepeatWindow = 30 * kDayMs;
constexpr size_t kPreviousLimit = 10;
constexpr const char* kRepeatCallerPurpose = "repeat_caller";

Result<const crypto::SecretKey*> LineKey(Services& s, const std::string& line_id) { return s.keys.Line(line_id); }

tl::unexpected<Error> NoSuchContact() { return Fail(ErrorCode::kNotFound, "no contact with this id on this line"); }

void Merge(nlohmann::json& into, const nlohmann::json& patch) {
    for (const auto& [key, value] : patch.items()) into[key] = value;
}

// The directory categories of the services signposted, a coded fact the reports count (the services themselves stay
// sealed): each service's categories from the line's directory; "other" for a service typed in, or no longer listed.
Result<nlohmann::json> SignpostingCategories(store::Tx& tx, const std::string& line_id, const nlohmann::json& signposting) {
    const auto& codes = reference::SignpostingCategoryCodes();
    std::vector<bool> seen(codes.size());
    auto mark = [&](const std::string& code) {
        auto it = std::find(codes.begin(), codes.end(), code);
        if (it != codes.end()) seen[static_cast<size_t>(it - codes.begin())] = true;
    };
    for (const auto& item : signposting) {
        std::optional<store::DirectoryServiceRow> service;
        if (item.contains("service_id") && item["service_id"].is_string()) {
            auto found = tx.GetDirectoryService(line_id, item["service_id"].get<std::string>());
            if (!found) return tl::unexpected(found.error());
            service = std::move(*found);
        }
        const auto listed = service ? nlohmann::json::parse(service->service_json, nullptr, false) : nlohmann::json();
        if (!listed.is_object() || !listed.contains("categories") || !listed["categories"].is_array()) {
            mark("other");
            continue;
        }
        for (const auto& c : listed["categories"]) {
            if (c.is_string()) mark(c.get<std::string>());
        }
    }
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < codes.size(); ++i) {
        if (seen[i]) out.push_back(codes[i]);
    }
    return out;
}

// On closing: the change in the caller's distress rating, when both were given, joins an anonymous monthly count
// (the outcomes report's); the ratings themselves stay sealed in the record and are never counted from it.
Result<void> TallyDistress(store::Tx& tx, const store::ContactRow& row, const nlohmann::json& content) {
    const auto d = content.value("distress", nlohmann::json::object());
    if (!d.is_object() || !d.contains("at_start") || !d.contains("at_end") || !d["at_start"].is_number_integer() ||
        !d["at_end"].is_number_integer()) {
        return {};
    }
    const std::string band = DistressChangeBand(d["at_start"].get<std::int64_t>(), d["at_end"].get<std::int64_t>());
    return tx.AddRetainedCount({row.line_id, FormatTime(row.arrived_at).substr(0, 7), "distress_change:" + band, 1});
}

Result<void> CheckTimings(const store::ContactRow& row) {
    if (row.answered_at && *row.answered_at < row.arrived_at) {
        return Fail(ErrorCode::kInvalid, "answered_at", "cannot be before the call arrived");
    }
    if (row.ended_at && *row.ended_at < row.arrived_at) {
        return Fail(ErrorCode::kInvalid, "ended_at", "cannot be before the call arrived");
    }
    if (row.ended_at && row.answered_at && *row.ended_at < *row.answered_at) {
        return Fail(ErrorCode::kInvalid, "ended_at", "cannot be before the call was answered");
    }
    return {};
}

// An earlier contact as the counsellor on a repeat caller's call sees it: coded facts, and from the
// content only what continues care.
nlohmann::json PreviousJson(const store::ContactRow& row, const nlohmann::json& content, nlohmann::json counsellor) {
    nlohmann::json facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    if (!facts.is_object()) facts = nlohmann::json::object();
    const ContactFlags flags = FlagsOf(facts);
    nlohmann::json out = {{"id", row.id},
                          {"arrived_at", FormatTime(row.arrived_at)},
                          {"ended_at", row.ended_at ? nlohmann::json(FormatTime(*row.ended_at)) : nlohmann::json()},
                          {"cause_for_concern", flags.cause_for_concern},
                          {"imminent_risk", flags.imminent_risk},
                          {"counsellor_display_name", std::move(counsellor)}};
    for (const char* key : {"language", "caller_role", "themes", "outcome"}) {
        out[key] = facts.contains(key) ? facts[key] : nlohmann::json();
    }
    const nlohmann::json& c = content;  // an object (Previous sees to it)
    out["addressed_as"] = c.contains("addressed_as") ? c["addressed_as"] : nlohmann::json();
    out["follow_up_plan"] = c.contains("follow_up_plan") ? c["follow_up_plan"] : nlohmann::json();
    out["safety_plan"] = nullptr;
    if (auto a = c.find("assessment"); a != c.end() && a->is_object() && a->contains("safety_plan")) {
        out["safety_plan"] = (*a)["safety_plan"];
    }
    nlohmann::json names = nlohmann::json::array();
    if (auto sp = c.find("signposting"); sp != c.end() && sp->is_array()) {
        for (const auto& item : *sp) {
            if (item.is_object() && item.contains("name")) names.push_back(item["name"]);
        }
    }
    out["signposting"] = std::move(names);
    return out;
}

}  // namespace

const std::vector<std::string>& ReadPurposes() {
    static const std::vector<std::string> purposes = {"on_call", "wrap_up", "follow_up", "supervision", "escalation"};
    return purposes;
}

std::string SealingContext(std::string_view kind, std::string_view line_id, std::string_view id) {
    return std::string(kind) + ":" + std::string(line_id) + ":" + std::string(id);
}

ContactFlags FlagsOf(const nlohmann::json& contact) {
    auto flag = [&](const char* key) {
        auto it = contact.find(key);
        return it != contact.end() && it->is_boolean() && it->get<bool>();
    };
    if (!contact.is_object()) return {};
    return {flag("cause_for_concern"), flag("imminent_risk")};
}

nlohmann::json ContactJson(const store::ContactRow& row, const nlohmann::json& content) {
    nlohmann::json facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    if (!facts.is_object()) facts = nlohmann::json::object();
    nlohmann::json out = {{"id", row.id},
                          {"line_id", row.line_id},
                          {"status", row.status},
                          {"version", row.version},
                          {"arrived_at", FormatTime(row.arrived_at)},
                          {"answered_at", nullptr},
                          {"ended_at", nullptr},
                          {"queue_wait_seconds", nullptr},
                          {"talk_seconds", nullptr},
                          {"counsellor_id", row.counsellor_id.empty() ? nlohmann::json() : nlohmann::json(row.counsellor_id)}};
    if (row.answered_at) {
        out["answered_at"] = FormatTime(*row.answered_at);
        out["queue_wait_seconds"] = (*row.answered_at - row.arrived_at) / 1000;
    }
    if (row.ended_at) {
        out["ended_at"] = FormatTime(*row.ended_at);
        if (row.answered_at) out["talk_seconds"] = (*row.ended_at - *row.answered_at) / 1000;
    }
    for (const char* key : {"channel", "call", "language", "caller_role", "region", "member_of_public",
                            "themes", "actions", "outcome", "cause_for_concern", "imminent_risk", "repeat_calls_30d"}) {
        out[key] = facts.contains(key) ? facts[key] : nlohmann::json();
    }
    if (!content.is_null()) {
        for (const char* key : {"addressed_as", "force", "assessment", "actions_note", "signposting", "follow_up_plan",
                                "notes", "distress"}) {
            out[key] = content.contains(key) ? content[key] : nlohmann::json();
        }
    }
    // Contacts stored before the force was sealed still hold it as a fact.
    if (!content.is_null() && out["force"].is_null() && facts.contains("force")) out["force"] = facts["force"];
    return out;
}

Result<nlohmann::json> Contacts::Create(const staff::Principal& who, const std::string& line_id, const Fields& body) {
    auto in = ReadContactInput(body, true);
    if (!in) return tl::unexpected(in.error());
    auto kek = LineKey(s_, line_id);
    if (!kek) return tl::unexpected(kek.error());
    const TimeMs now = s_.clock.Now();

    store::ContactRow row;
    row.id = crypto::NewId("ct");
    row.line_id = line_id;
    row.status = "open";
    row.arrived_at = in->arrived_at.value_or(now);
    row.answered_at = in->answered_at ? in->answered_at : std::optional<TimeMs>(row.arrived_at);
    row.ended_at = in->ended_at;
    row.counsellor_id = who.staff_id;
    if (auto t = CheckTimings(row); !t) return tl::unexpected(t.error());
    if (in->caller_number && !in->caller_number->empty()) {
        auto normal = crypto::NormalisePhoneNumber(*in->caller_number);
        if (!normal) return Fail(ErrorCode::kInvalid, "caller_number", "is not a phone number");
        row.caller_hash = crypto::CallerHash(**kek, *normal);
    }
    nlohmann::json facts = in->facts;
    if (in->content.contains("force")) {
        row.force_sealed = SealForce(**kek, line_id, row.id, in->content["force"].get<std::string>());
    }
    row.sealed = crypto::Seal(**kek, in->content.dump(), SealingContext("contact", line_id, row.id));
    row.created_at = row.updated_at = now;

    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto line = tx.GetLine(line_id); !line) {
            return tl::unexpected(line.error());
        } else if (!*line) {
            return Fail(ErrorCode::kNotFound, "no line with this id");
        }
        std::int64_t repeats = 0;
        if (!row.caller_hash.empty()) {
            auto n = tx.CountContactsFromCaller(line_id, row.caller_hash, row.arrived_at - kRepeatWindow);
            if (!n) return tl::unexpected(n.error());
            repeats = *n;
        }
        facts["repeat_calls_30d"] = repeats;
        if (in->content.contains("signposting")) {
            auto categories = SignpostingCategories(tx, line_id, in->content["signposting"]);
            if (!categories) return tl::unexpected(categories.error());
            facts["signposting_categories"] = std::move(*categories);
        }
        row.facts_json = facts.dump();
        if (auto r = tx.InsertContact(row); !r) return r;
        return writer::AppendAudit(tx, now, {who.staff_id, "contact.create", line_id, "contact", row.id, "on_call"});
    });
    if (!written) return tl::unexpected(written.error());
    return ContactJson(row, in->content);
}

Result<nlohmann::json> Contacts::Read(const staff::Principal& who,
                                      const std::string& line_id,
                                      const std::string& id,
                                      const std::string& purpose,
                                      CallView call) {
    const auto& purposes = ReadPurposes();
    if (std::find(purposes.begin(), purposes.end(), purpose) == purposes.end()) {
        return Fail(ErrorCode::kInvalid, "purpose", "say why you are opening this contact: on_call, wrap_up, "
                                                    "follow_up, supervision or escalation");
    }
    auto kek = LineKey(s_, line_id);
    if (!kek) return tl::unexpected(kek.error());
    store::ContactRow row;
    Result<void> allowed;
    // One durable transaction: the decision, the read and its audit entry (granted or refused) commit together.
    auto audited = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetContact(line_id, id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return NoSuchContact();
        row = std::move(**found);
        auto follow_ups = tx.ListFollowUpsOfContact(line_id, id);
        if (!follow_ups) return tl::unexpected(follow_ups.error());
        auto escalations = tx.ListEscalationsOfContact(line_id, id);
        if (!escalations) return tl::unexpected(escalations.error());
        allowed = MayOpen(who, purpose, RelationshipTo(who.staff_id, row, *follow_ups, *escalations, call));
        const char* action = allowed ? "contact.read" : "contact.read_refused";
        return writer::AppendAudit(tx, s_.clock.Now(), {who.staff_id, action, line_id, "contact", id, purpose});
    });
    if (!audited) return tl::unexpected(audited.error());
    if (!allowed) return AlreadyAudited(allowed.error());
    auto plain = crypto::Open(**kek, row.sealed, SealingContext("contact", line_id, id));
    if (!plain) return tl::unexpected(plain.error());
    return ContactJson(row, nlohmann::json::parse(*plain, nullptr, false));
}

Result<void> Contacts::CheckHandling(const staff::Principal& who,
                                     const std::string& line_id,
                                     const std::string& id,
                                     CallView call,
                                     const std::string& action) {
    auto current = ReadOne<std::optional<store::ContactRow>>(s_.store,
                                                             [&](store::Tx& tx) { return tx.GetContact(line_id, id); });
    if (!current) return tl::unexpected(current.error());
    if (!*current) return NoSuchContact();
    const store::ContactRow& row = **current;
    if (row.status == "closed" && row.counsellor_id == who.staff_id) {
        return Fail(ErrorCode::kConflict, "this contact is closed and can no longer change");
    }
    auto allowed = MayChange(who, RelationshipTo(who.staff_id, row, {}, {}, call));
    if (allowed) return {};
    if (auto a = AuditRefusal(who, line_id, id, action + "_refused", "on_call"); !a) return a;
    return AlreadyAudited(allowed.error());
}

Result<void> Contacts::AuditRefusal(const staff::Principal& who,
                                    const std::string& line_id,
                                    const std::string& id,
                                    const std::string& action,
                                    const std::string& purpose) {
    return s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        return writer::AppendAudit(tx, s_.clock.Now(), {who.staff_id, action, line_id, "contact", id, purpose});
    });
}

Result<nlohmann::json> Contacts::Previous(const staff::Principal& who,
                                          const std::string& line_id,
                                          const std::string& id) {
    auto kek = LineKey(s_, line_id);
    if (!kek) return tl::unexpected(kek.error());
    std::vector<store::ContactRow> rows;
    std::map<std::string, std::string> names;  // counsellor staff id -> display name
    // One durable transaction: no earlier contact leaves storage without its audit entry.
    auto audited = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        rows.clear();
        names.clear();
        auto current = tx.GetContact(line_id, id);
        if (!current) return tl::unexpected(current.error());
        if (!*current) return NoSuchContact();
        // Strictly earlier arrivals: the contact itself is never among them.
        auto earlier = tx.ListContactsFromCaller(line_id, (*current)->caller_hash, (*current)->arrived_at,
                                                 kPreviousLimit);
        if (!earlier) return tl::unexpected(earlier.error());
        rows = std::move(*earlier);
        const TimeMs now = s_.clock.Now();
        for (const auto& row : rows) {
            if (!row.counsellor_id.empty() && !names.contains(row.counsellor_id)) {
                auto staff = tx.GetStaff(row.counsellor_id);
                if (!staff) return tl::unexpected(staff.error());
                if (*staff) names[row.counsellor_id] = (*staff)->display_name;
            }
            if (auto a = writer::AppendAudit(
                    tx, now, {who.staff_id, "contact.read", line_id, "contact", row.id, kRepeatCallerPurpose});
                !a) {
                return a;
            }
        }
        return {};
    });
    if (!audited) return tl::unexpected(audited.error());
    nlohmann::json previous = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json content = nlohmann::json::object();
        if (!row.sealed.Empty()) {
            auto plain = crypto::Open(**kek, row.sealed, SealingContext("contact", line_id, row.id));
            if (!plain) return tl::unexpected(plain.error());
            content = nlohmann::json::parse(*plain, nullptr, false);
            if (!content.is_object()) return Fail(ErrorCode::kInternal, "stored contact is unreadable");
        }
        auto name = names.find(row.counsellor_id);
        previous.push_back(
            PreviousJson(row, content, name == names.end() ? nlohmann::json() : nlohmann::json(name->second)));
    }
    return nlohmann::json{{"previous", previous}};
}

Result<nlohmann::json> Contacts::Change(const staff::Principal& who,
                                        const std::string& line_id,
                                        const std::string& id,
                                        const Fields& body,
                                        bool closing,
                                        ContactFlags* flags_before) {
    auto in = ReadContactInput(body, false);
    if (!in) return tl::unexpected(in.error());
    auto kek = LineKey(s_, line_id);
    if (!kek) return tl::unexpected(kek.error());
    const std::string context = SealingContext("contact", line_id, id);

    auto current = ReadOne<std::optional<store::ContactRow>>(s_.store,
                                                             [&](store::Tx& tx) { return tx.GetContact(line_id, id); });
    if (!current) return tl::unexpected(current.error());
    if (!*current) return NoSuchContact();
    store::ContactRow row = std::move(**current);
    if (row.status == "closed") return Fail(ErrorCode::kConflict, "this contact is closed and can no longer change");
    // A call's record is its counsellor's to close (or a supervisor's, audited as theirs): nobody else's.
    if (closing && !row.counsellor_id.empty() && row.counsellor_id != who.staff_id &&
        !who.Has(staff::Role::kSupervisor)) {
        return Fail(ErrorCode::kForbidden,
                    "only the counsellor who took this call, or a supervisor of the line, can close its contact");
    }
    if (*in->version != row.version) {
        return Fail(ErrorCode::kConflict, "version",
                    "the contact changed since you loaded it (now version " + std::to_string(row.version) + ")");
    }
    auto plain = crypto::Open(**kek, row.sealed, context);
    if (!plain) return tl::unexpected(plain.error());
    nlohmann::json content = nlohmann::json::parse(*plain, nullptr, false);
    nlohmann::json facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    if (!content.is_object() || !facts.is_object()) return Fail(ErrorCode::kInternal, "stored contact is unreadable");
    const ContactFlags before = FlagsOf(facts);
    Merge(facts, in->facts);
    Merge(content, in->content);
    // A contact stored before the force was sealed gives it up from its facts on its next change.
    if (auto legacy = facts.find("force"); legacy != facts.end()) {
        if (!content.contains("force")) content["force"] = *legacy;
        facts.erase(legacy);
    }
    // The force sealed on its own for the reports (records/sealed_force.hpp), whenever it is given or not sealed yet.
    if (content.contains("force") && content["force"].is_string() &&
        (in->content.contains("force") || row.force_sealed.empty())) {
        row.force_sealed = SealForce(**kek, line_id, id, content["force"].get<std::string>());
    }
    if (in->answered_at) row.answered_at = in->answered_at;
    if (in->ended_at) row.ended_at = in->ended_at;
    const TimeMs now = s_.clock.Now();
    if (closing && !row.ended_at) row.ended_at = now;
    if (auto t = CheckTimings(row); !t) return tl::unexpected(t.error());

    row.facts_json = facts.dump();
    auto resealed = crypto::Reseal(**kek, row.sealed.wrapped_key, content.dump(), context);
    if (!resealed) return tl::unexpected(resealed.error());
    row.sealed = std::move(*resealed);
    row.version += 1;
    row.updated_at = now;
    if (closing) row.status = "closed";

    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (closing) {
            auto follow_ups = tx.ListFollowUpsOfContact(line_id, id);
            if (!follow_ups) return tl::unexpected(follow_ups.error());
            if (auto ready = CheckReadyToClose(facts, content, !follow_ups->empty()); !ready) return ready;
            if (auto tallied = TallyDistress(tx, row, content); !tallied) return tallied;
        }
        if (in->content.contains("signposting")) {
            auto categories = SignpostingCategories(tx, line_id, in->content["signposting"]);
            if (!categories) return tl::unexpected(categories.error());
            facts["signposting_categories"] = std::move(*categories);
            row.facts_json = facts.dump();
        }
        if (auto u = tx.UpdateContact(row); !u) {
            if (u.error().code == ErrorCode::kConflict) {
                return Fail(ErrorCode::kConflict, "version", "the contact changed while you were saving; reload it");
            }
            return u;
        }
        return writer::AppendAudit(tx, now,
                                   {who.staff_id, closing ? "contact.close" : "contact.update", line_id, "contact", id,
                                    closing ? "wrap_up" : "on_call"});
    });
    if (!written) return tl::unexpected(written.error());
    if (flags_before) *flags_before = before;
    return ContactJson(row, content);
}

Result<nlohmann::json> Contacts::Update(const staff::Principal& who,
                                        const std::string& line_id,
                                        const std::string& id,
                                        const Fields& body,
                                        ContactFlags* flags_before) {
    return Change(who, line_id, id, body, false, flags_before);
}

Result<nlohmann::json> Contacts::Close(const staff::Principal& who,
                                       const std::string& line_id,
                                       const std::string& id,
                                       const Fields& body,
                                       ContactFlags* flags_before) {
    return Change(who, line_id, id, body, true, flags_before);
}

Result<nlohmann::json> Contacts::List(const std::string& line_id, const store::ContactFilter& filter) {
    auto rows = ReadOne<std::vector<store::ContactRow>>(
        s_.store, [&](store::Tx& tx) { return tx.ListContacts(line_id, filter); });
    if (!rows) return tl::unexpected(rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(ContactJson(row, nullptr));
    return nlohmann::json{{"contacts", out}};
}

}  // namespace crisisline::records
