#include "records/carried_calls.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "records/sealed_force.hpp"

namespace crisisline::records {

namespace {

nlohmann::json FactsOf(const store::ContactRow& row) {
    auto facts = nlohmann::json::parse(row.facts_json, nullptr, false);
    return facts.is_object() ? facts : nlohmann::json::object();
}

// The contact `facts` continues, or "" for the first contact of a call.
std::string Continues(const nlohmann::json& facts) {
    const auto call = facts.find("call");
    if (call == facts.end() || !call->is_object()) return "";
    const auto continues = call->find("continues");
    return continues != call->end() && continues->is_string() ? continues->get<std::string>() : "";
}

// Adds the coded facts of a later contact of the same call into `into`.
void MergeLater(nlohmann::json& into, const nlohmann::json& later) {
    for (const auto& [key, value] : later.items()) {
        if (key == "call" || key == "channel" || value.is_null()) continue;  // the call's timings stay the first's
        if (value.is_array()) {
            auto& list = into[key];
            if (!list.is_array()) list = nlohmann::json::array();
            for (const auto& v : value) {
                if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
            }
        } else if (value.is_boolean()) {
            into[key] = into.value(key, false) || value.get<bool>();
        } else {
            into[key] = value;
        }
    }
}

}  // namespace

std::vector<store::ContactRow> OneRowPerCall(std::vector<store::ContactRow> contacts) {
    // Most contacts begin their call: only those whose facts name "continues" are parsed here (a report reads
    // every contact of its period, and parsing them all twice would double its cost).
    std::unordered_map<size_t, std::string> before;  // position -> the contact it continues
    for (size_t i = 0; i < contacts.size(); ++i) {
        if (contacts[i].facts_json.find("\"continues\"") == std::string::npos) continue;
        if (auto id = Continues(FactsOf(contacts[i])); !id.empty()) before.emplace(i, std::move(id));
    }
    if (before.empty()) return contacts;
    std::unordered_map<std::string, size_t> position;  // only the contacts some other one continues
    for (const auto& [i, id] : before) position.emplace(id, contacts.size());
    for (size_t i = 0; i < contacts.size(); ++i) {
        if (auto it = position.find(contacts[i].id); it != position.end()) it->second = i;
    }
    // Each continuing contact's first contact, or contacts.size() when its call began outside `contacts`.
    const size_t outside = contacts.size();
    std::vector<std::pair<size_t, size_t>> later;  // (continuing contact, its first contact)
    for (const auto& [i, id] : before) {
        size_t at = i;
        size_t first = outside;
        for (size_t steps = 0; steps <= before.size(); ++steps) {  // bounded: a cycle is no chain
            auto step = before.find(at);
            if (step == before.end()) {
                first = at;
                break;
            }
            auto found = position.find(step->second);
            if (found == position.end() || found->second == outside) break;
            at = found->second;
        }
        later.emplace_back(i, first);
    }
    // Merged in arrival order, so "later wins" means later along the call.
    std::sort(later.begin(), later.end(), [&](const auto& a, const auto& b) {
        return contacts[a.first].arrived_at != contacts[b.first].arrived_at
                   ? contacts[a.first].arrived_at < contacts[b.first].arrived_at
                   : a.first < b.first;
    });
    std::unordered_map<size_t, nlohmann::json> merged;  // first contact -> the chain's facts
    std::vector<bool> left_out(contacts.size(), false);
    for (const auto& [i, first] : later) {
        left_out[i] = true;
        if (first == outside) continue;
        auto [it, fresh] = merged.try_emplace(first);
        if (fresh) it->second = FactsOf(contacts[first]);
        const auto later_facts = FactsOf(contacts[i]);
        MergeLater(it->second, later_facts);
        // A force recorded later along the call wins too; it opens only under the id it was sealed for.
        if (!contacts[i].force_sealed.empty()) {
            contacts[first].force_sealed = contacts[i].force_sealed;
            it->second[kSealedForceForKey] = later_facts.value(kSealedForceForKey, contacts[i].id);
        }
        if (!contacts[first].answered_at && contacts[i].answered_at) {
            contacts[first].answered_at = contacts[i].answered_at;
        }
    }
    for (auto& [first, facts] : merged) {
        if (nlohmann::json::parse(contacts[first].facts_json, nullptr, false).is_object()) {
            contacts[first].facts_json = facts.dump();
        }
    }
    std::vector<store::ContactRow> out;
    out.reserve(contacts.size() - later.size());
    for (size_t i = 0; i < contacts.size(); ++i) {
        if (!left_out[i]) out.push_back(std::move(contacts[i]));
    }
    return out;
}

}  // namespace crisisline::records
