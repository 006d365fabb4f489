#include "records/carried_calls.hpp"

#include <algorithm>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

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

std::vector<store::ContactRow> OneRowPerCall(const std::vector<store::ContactRow>& contacts) {
    std::map<std::string, size_t> index;  // contact id -> position in contacts
    for (size_t i = 0; i < contacts.size(); ++i) index.emplace(contacts[i].id, i);
    std::vector<nlohmann::json> facts;
    std::vector<std::string> before;  // the contact each continues, "" for a first one
    facts.reserve(contacts.size());
    for (const auto& row : contacts) {
        facts.push_back(FactsOf(row));
        before.push_back(Continues(facts.back()));
    }
    // The first contact of each one's chain, or npos when the chain begins outside `contacts`.
    const size_t npos = contacts.size();
    std::vector<size_t> first(contacts.size(), npos);
    for (size_t i = 0; i < contacts.size(); ++i) {
        size_t at = i;
        for (size_t steps = 0; steps <= contacts.size(); ++steps) {  // bounded: a cycle is no chain
            if (before[at].empty()) {
                first[i] = at;
                break;
            }
            auto it = index.find(before[at]);
            if (it == index.end()) break;
            at = it->second;
        }
    }
    // Later contacts merge into their first one in arrival order, so "later wins" means later along the call.
    std::vector<size_t> order(contacts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return contacts[a].arrived_at < contacts[b].arrived_at; });
    std::vector<store::ContactRow> out_rows(contacts.begin(), contacts.end());
    std::vector<bool> merged(contacts.size(), false);
    for (size_t i : order) {
        const size_t f = first[i];
        if (f == npos || f == i) continue;
        MergeLater(facts[f], facts[i]);
        merged[f] = true;
        if (!out_rows[f].answered_at && contacts[i].answered_at) out_rows[f].answered_at = contacts[i].answered_at;
    }
    std::vector<store::ContactRow> out;
    for (size_t i = 0; i < contacts.size(); ++i) {
        if (first[i] != i) continue;
        if (merged[i]) out_rows[i].facts_json = facts[i].dump();
        out.push_back(std::move(out_rows[i]));
    }
    return out;
}

}  // namespace crisisline::records
