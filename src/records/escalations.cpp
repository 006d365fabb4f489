#include "records/escalations.hpp"

#include "records/contacts.hpp"
#include "reference/reference.hpp"
#include "staff/accounts.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

namespace {

nlohmann::json EscalationJson(const store::EscalationRow& row) {
    return {{"id", row.id},
            {"line_id", row.line_id},
            {"contact_id", row.contact_id},
            {"raised_by", row.raised_by},
            {"raised_at", FormatTime(row.raised_at)},
            {"emergency_service", row.emergency_service},
            {"supervisor_id", row.supervisor_id}};
}

}  // namespace

Result<nlohmann::json> Escalations::Raise(const staff::Principal& who,
                                          const std::string& line_id,
                                          const std::string& contact_id,
                                          const Fields& body) {
    if (auto k = body.OnlyKnown({"emergency_service", "reason", "disclosed", "supervisor_id"}); !k) {
        return tl::unexpected(k.error());
    }
    auto service = body.Enum("emergency_service", reference::EmergencyServiceCodes());
    if (!service) return tl::unexpected(service.error());
    auto reason = body.String("reason", 2000);
    if (!reason) return tl::unexpected(reason.error());
    auto disclosed = body.String("disclosed", 2000);
    if (!disclosed) return tl::unexpected(disclosed.error());
    auto supervisor_id = body.String("supervisor_id", 64);
    if (!supervisor_id) return tl::unexpected(supervisor_id.error());
    auto kek = s_.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());

    const TimeMs now = s_.clock.Now();
    store::EscalationRow row;
    row.id = crypto::NewId("es");
    row.line_id = line_id;
    row.contact_id = contact_id;
    row.raised_by = who.staff_id;
    row.raised_at = now;
    row.emergency_service = *service;
    row.supervisor_id = *supervisor_id;
    nlohmann::json sealed = {{"reason", *reason}, {"disclosed", *disclosed}};
    row.sealed = crypto::Seal(**kek, sealed.dump(), SealingContext("escalation", line_id, row.id));

    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto supervisor = tx.GetStaff(row.supervisor_id);
        if (!supervisor) return tl::unexpected(supervisor.error());
        if (!*supervisor || (*supervisor)->disabled ||
            !staff::PrincipalOf(**supervisor).Has(staff::Role::kSupervisor) ||
            !staff::PrincipalOf(**supervisor).Serves(line_id)) {
            return Fail(ErrorCode::kInvalid, "supervisor_id", "is not an active supervisor of this line");
        }
        auto contact = tx.GetContact(line_id, contact_id);
        if (!contact) return tl::unexpected(contact.error());
        if (!*contact) return Fail(ErrorCode::kNotFound, "no contact with this id on this line");
        store::ContactRow flagged = **contact;
        nlohmann::json facts = nlohmann::json::parse(flagged.facts_json, nullptr, false);
        if (!facts.is_object()) facts = nlohmann::json::object();
        facts["imminent_risk"] = true;
        flagged.facts_json = facts.dump();
        flagged.version += 1;
        flagged.updated_at = now;
        if (auto u = tx.UpdateContact(flagged); !u) return u;
        if (auto i = tx.InsertEscalation(row); !i) return i;
        return writer::AppendAudit(tx, now,
                                   {who.staff_id, "escalation.create", line_id, "escalation", row.id, "imminent_risk"});
    });
    if (!written) return tl::unexpected(written.error());
    return EscalationJson(row);
}

Result<nlohmann::json> Escalations::List(const std::string& line_id) {
    auto rows = ReadOne<std::vector<store::EscalationRow>>(s_.store,
                                                           [&](store::Tx& tx) { return tx.ListEscalations(line_id); });
    if (!rows) return tl::unexpected(rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(EscalationJson(row));
    return nlohmann::json{{"escalations", out}};
}

Result<nlohmann::json> Escalations::Read(const staff::Principal& who, const std::string& line_id, const std::string& id) {
    auto kek = s_.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());
    auto row = ReadAudited<store::EscalationRow>(
        s_, [&](store::Tx& tx) { return tx.GetEscalation(line_id, id); },
        {who.staff_id, "escalation.read", line_id, "escalation", id, "supervision"},
        "no escalation with this id on this line");
    if (!row) return tl::unexpected(row.error());
    nlohmann::json out = EscalationJson(*row);
    if (!row->sealed.Empty()) {
        auto plain = crypto::Open(**kek, row->sealed, SealingContext("escalation", line_id, id));
        if (!plain) return tl::unexpected(plain.error());
        auto details = nlohmann::json::parse(*plain, nullptr, false);
        out["reason"] = details.value("reason", "");
        out["disclosed"] = details.value("disclosed", "");
    }
    return out;
}

}  // namespace crisisline::records
