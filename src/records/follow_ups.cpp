#include "records/follow_ups.hpp"

#include "records/contacts.hpp"
#include "records/follow_up_status.hpp"
#include "records/lines.hpp"
#include "reference/reference.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

tl::unexpected<Error> NoSuchFollowUp() { return Fail(ErrorCode::kNotFound, "no follow-up with this id on this line"); }

std::string Masked(const std::string& number) {
    if (number.size() <= 3) return "***";
    return std::string(number.size() - 3, '*') + number.substr(number.size() - 3);
}

Result<LineConfig> LoadLine(store::Tx& tx, const std::string& line_id) {
    auto row = tx.GetLine(line_id);
    if (!row) return tl::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kNotFound, "no line with this id");
    return LineFromRow(**row);
}

}  // namespace

nlohmann::json FollowUpJson(const store::FollowUpRow& row) {
    nlohmann::json attempts = nlohmann::json::parse(row.attempts_json, nullptr, false);
    if (!attempts.is_array()) attempts = nlohmann::json::array();
    return {{"id", row.id},
            {"line_id", row.line_id},
            {"contact_id", row.contact_id},
            {"status", row.status},
            {"earliest", FormatTime(row.earliest)},
            {"latest", FormatTime(row.latest)},
            {"assigned_to", row.assigned_to},
            {"attempts", attempts},
            {"max_attempts", row.max_attempts},
            {"number_on_file", !row.sealed.Empty()},
            {"version", row.version}};
}

Result<nlohmann::json> FollowUps::Schedule(const staff::Principal& who,
                                           const std::string& line_id,
                                           const std::string& contact_id,
                                           const Fields& body) {
    if (auto k = body.OnlyKnown({"earliest", "latest", "method", "number", "consent", "assigned_to", "notes"}); !k) {
        return tl::unexpected(k.error());
    }
    auto consent = body.Bool("consent");
    if (!consent) return tl::unexpected(consent.error());
    if (!*consent) {
        return Fail(ErrorCode::kInvalid, "consent", "a follow-up needs the caller's consent to be called back");
    }
    auto earliest = body.OptionalTime("earliest");
    if (!earliest) return tl::unexpected(earliest.error());
    if (!earliest->has_value()) return Fail(ErrorCode::kInvalid, "earliest", "is required");
    auto latest = body.OptionalTime("latest");
    if (!latest) return tl::unexpected(latest.error());
    if (!latest->has_value()) return Fail(ErrorCode::kInvalid, "latest", "is required");
    if (**latest <= **earliest) return Fail(ErrorCode::kInvalid, "latest", "must be after earliest");
    auto method = body.Enum("method", reference::ContactMethodCodes());
    if (!method) return tl::unexpected(method.error());
    auto number_text = body.String("number", 64);
    if (!number_text) return tl::unexpected(number_text.error());
    auto number = crypto::NormalisePhoneNumber(*number_text);
    if (!number) return Fail(ErrorCode::kInvalid, "number", "is not a phone number");
    auto assigned = body.OptionalString("assigned_to", 64);
    if (!assigned) return tl::unexpected(assigned.error());
    auto notes = body.OptionalString("notes", 2000);
    if (!notes) return tl::unexpected(notes.error());
    auto kek = s_.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());

    const TimeMs now = s_.clock.Now();
    store::FollowUpRow row;
    row.id = crypto::NewId("fu");
    row.line_id = line_id;
    row.contact_id = contact_id;
    row.earliest = **earliest;
    row.latest = **latest;
    row.assigned_to = assigned->value_or("pool");
    row.attempts_json = "[]";
    nlohmann::json sealed = {{"method", *method}, {"number", *number}, {"notes", notes->value_or("")}};
    row.sealed = crypto::Seal(**kek, sealed.dump(), SealingContext("follow_up", line_id, row.id));
    row.created_at = row.updated_at = now;

    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto line = LoadLine(tx, line_id);
        if (!line) return tl::unexpected(line.error());
        if (row.latest - row.earliest > line->follow_up_max_days * kDayMs) {
            return Fail(ErrorCode::kInvalid, "latest",
                        "the window is longer than this line allows (" + std::to_string(line->follow_up_max_days) +
                            " days)");
        }
        row.max_attempts = line->follow_up_max_attempts;
        row.status = FollowUpStatusAt("scheduled", row.earliest, row.latest, line->follow_up_max_days * kDayMs, now);
        if (row.status == "unreachable") return Fail(ErrorCode::kInvalid, "latest", "the window is already over");
        auto contact = tx.GetContact(line_id, contact_id);
        if (!contact) return tl::unexpected(contact.error());
        if (!*contact) return Fail(ErrorCode::kNotFound, "no contact with this id on this line");
        if (row.assigned_to != "pool") {
            auto staff = tx.GetStaff(row.assigned_to);
            if (!staff) return tl::unexpected(staff.error());
            if (!*staff || (*staff)->disabled) {
                return Fail(ErrorCode::kInvalid, "assigned_to", "is not an active member of staff (or use \"pool\")");
            }
        }
        if (auto r = tx.InsertFollowUp(row); !r) return r;
        return writer::AppendAudit(tx, now, {who.staff_id, "follow_up.create", line_id, "follow_up", row.id, "on_call"});
    });
    if (!written) return tl::unexpected(written.error());
    return FollowUpJson(row);
}

Result<nlohmann::json> FollowUps::List(const std::string& line_id, const std::vector<std::string>& statuses) {
    auto rows = ReadOne<std::vector<store::FollowUpRow>>(
        s_.store, [&](store::Tx& tx) { return tx.ListFollowUps(line_id, statuses); });
    if (!rows) return tl::unexpected(rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(FollowUpJson(row));
    return nlohmann::json{{"follow_ups", out}};
}

// Need to know for a follow-up's sealed details: `may` decides from the stored row; the read (or its refusal)
// and its audit entry commit together.
Result<store::FollowUpRow> FollowUps::ReadIfAllowed(const staff::Principal& who,
                                                    const std::string& line_id,
                                                    const std::string& id,
                                                    const std::function<Result<void>(const store::FollowUpRow&)>& may,
                                                    const std::string& action) {
    store::FollowUpRow row;
    Result<void> allowed;
    auto audited = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetFollowUp(line_id, id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return NoSuchFollowUp();
        row = std::move(**found);
        allowed = may(row);
        return writer::AppendAudit(tx, s_.clock.Now(), {who.staff_id, allowed ? action : action + "_refused", line_id,
                                                        "follow_up", id, "follow_up"});
    });
    if (!audited) return tl::unexpected(audited.error());
    if (!allowed) return AlreadyAudited(allowed.error());
    return row;
}

Result<nlohmann::json> FollowUps::Read(const staff::Principal& who, const std::string& line_id, const std::string& id) {
    auto kek = s_.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());
    auto row = ReadIfAllowed(
        who, line_id, id,
        [&](const store::FollowUpRow& r) -> Result<void> {
            if (who.Has(staff::Role::kSupervisor)) return {};  // role x line was checked: a supervisor of the line
            if (who.Has(staff::Role::kCounsellor) && r.assigned_to == who.staff_id) return {};
            return Fail(ErrorCode::kForbidden, "a follow-up's details are only for the counsellor who holds it "
                                               "(claim it from the pool first) and supervisors of the line");
        },
        "follow_up.read");
    if (!row) return tl::unexpected(row.error());
    nlohmann::json out = FollowUpJson(*row);
    if (!row->sealed.Empty()) {
        auto plain = crypto::Open(**kek, row->sealed, SealingContext("follow_up", line_id, id));
        if (!plain) return tl::unexpected(plain.error());
        auto details = nlohmann::json::parse(*plain, nullptr, false);
        out["method"] = details.value("method", "");
        out["number_masked"] = Masked(details.value("number", ""));
        out["notes"] = details.value("notes", "");
    }
    return out;
}

Result<nlohmann::json> FollowUps::Claim(const staff::Principal& who, const std::string& line_id, const std::string& id) {
    if (!who.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take follow-ups");
    return Transition(
        who, line_id, id,
        [&](store::FollowUpRow& row) -> Result<std::string> {
            if (row.assigned_to != "pool" && row.assigned_to != who.staff_id) {
                return Fail(ErrorCode::kConflict, "another counsellor holds this follow-up");
            }
            row.assigned_to = who.staff_id;
            return row.status;
        },
        "follow_up.claim");
}

Result<std::string> FollowUps::NumberToDial(const staff::Principal& who, const std::string& line_id,
                                            const std::string& id) {
    auto kek = s_.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());
    auto row = ReadIfAllowed(
        who, line_id, id,
        [&](const store::FollowUpRow& r) -> Result<void> {
            if (r.assigned_to == who.staff_id || r.assigned_to == "pool") return {};
            return Fail(ErrorCode::kForbidden, "another counsellor holds this follow-up");
        },
        "follow_up.dial");
    if (!row) return tl::unexpected(row.error());
    if (IsClosedFollowUpStatus(row->status) || row->sealed.Empty()) {
        return Fail(ErrorCode::kConflict, "this follow-up is " + row->status + "; there is no number to call");
    }
    auto plain = crypto::Open(**kek, row->sealed, SealingContext("follow_up", line_id, id));
    if (!plain) return tl::unexpected(plain.error());
    auto details = nlohmann::json::parse(*plain, nullptr, false);
    if (details.value("method", "") != "phone") {
        return Fail(ErrorCode::kConflict, "the caller consented to " + details.value("method", std::string("another method")) +
                                              ", not a phone call");
    }
    auto number = details.value("number", "");
    if (number.empty()) return Fail(ErrorCode::kConflict, "there is no number on file");
    return number;
}

Result<nlohmann::json> FollowUps::Transition(const staff::Principal& who,
                                        const std::string& line_id,
                                        const std::string& id,
                                        const std::function<Result<std::string>(store::FollowUpRow&)>& decide,
                                        const std::string& action) {
    const TimeMs now = s_.clock.Now();
    store::FollowUpRow row;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetFollowUp(line_id, id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return NoSuchFollowUp();
        row = std::move(**found);
        if (IsClosedFollowUpStatus(row.status)) {
            return Fail(ErrorCode::kConflict, "this follow-up is already " + row.status);
        }
        auto status = decide(row);
        if (!status) return tl::unexpected(status.error());
        row.status = *status;
        if (IsClosedFollowUpStatus(row.status)) row.sealed = {};  // crypto-shred: the number's data key is gone
        row.version += 1;
        row.updated_at = now;
        if (auto u = tx.UpdateFollowUp(row); !u) return u;
        return writer::AppendAudit(tx, now, {who.staff_id, action, line_id, "follow_up", id, "follow_up"});
    });
    if (!written) return tl::unexpected(written.error());
    return FollowUpJson(row);
}

Result<nlohmann::json> FollowUps::RecordAttempt(const staff::Principal& who,
                                                const std::string& line_id,
                                                const std::string& id,
                                                const Fields& body) {
    if (auto k = body.OnlyKnown({"outcome"}); !k) return tl::unexpected(k.error());
    auto outcome = body.Enum("outcome", reference::AttemptOutcomeCodes());
    if (!outcome) return tl::unexpected(outcome.error());
    const TimeMs now = s_.clock.Now();
    return Transition(
        who, line_id, id,
        [&](store::FollowUpRow& row) -> Result<std::string> {
            nlohmann::json attempts = nlohmann::json::parse(row.attempts_json, nullptr, false);
            if (!attempts.is_array()) attempts = nlohmann::json::array();
            if (static_cast<std::int64_t>(attempts.size()) >= row.max_attempts) {
                return Fail(ErrorCode::kConflict, "outcome", "every permitted attempt has been made");
            }
            attempts.push_back({{"at", FormatTime(now)}, {"outcome", *outcome}, {"by", who.staff_id}});
            row.attempts_json = attempts.dump();
            if (*outcome == "spoke_with_caller") return std::string("completed");
            if (static_cast<std::int64_t>(attempts.size()) >= row.max_attempts) return std::string("unreachable");
            return row.status;
        },
        "follow_up.attempt");
}

Result<nlohmann::json> FollowUps::Cancel(const staff::Principal& who, const std::string& line_id, const std::string& id) {
    return Transition(
        who, line_id, id, [](store::FollowUpRow&) -> Result<std::string> { return std::string("cancelled"); },
        "follow_up.cancel");
}

Result<size_t> FollowUps::Tick() {
    const TimeMs now = s_.clock.Now();
    size_t changed = 0;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto lines = tx.ListLines();
        if (!lines) return tl::unexpected(lines.error());
        for (const auto& line_row : *lines) {
            auto line = LineFromRow(line_row);
            if (!line) return tl::unexpected(line.error());
            auto open = tx.ListFollowUps(line->id, {"scheduled", "due", "overdue"});
            if (!open) return tl::unexpected(open.error());
            for (auto& row : *open) {
                std::string next =
                    FollowUpStatusAt(row.status, row.earliest, row.latest, line->follow_up_max_days * kDayMs, now);
                if (next == row.status) continue;
                row.status = next;
                if (IsClosedFollowUpStatus(next)) row.sealed = {};
                row.version += 1;
                row.updated_at = now;
                if (auto u = tx.UpdateFollowUp(row); !u) return u;
                if (auto a = writer::AppendAudit(tx, now, {"system", "follow_up.status_" + next, line->id, "follow_up",
                                                           row.id, "schedule"});
                    !a) {
                    return a;
                }
                ++changed;
            }
        }
        return {};
    });
    if (!written) return tl::unexpected(written.error());
    return changed;
}

}  // namespace crisisline::records
