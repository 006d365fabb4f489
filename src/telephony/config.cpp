#include "telephony/config.hpp"

namespace crisisline::telephony {

namespace {

template <class T>
Result<void> Read(const toml::node_view<const toml::node>& node, const std::string& key, T& out) {
    if (!node) return {};
    auto v = node.value<T>();
    if (!v) return Fail(ErrorCode::kInvalid, "telephony." + key, "has the wrong type");
    out = *v;
    return {};
}

Result<void> ReadSeconds(const toml::node_view<const toml::node>& node, const std::string& key, int& out, int min,
                         int max) {
    std::int64_t v = out;
    if (auto r = Read(node, key, v); !r) return r;
    if (v < min || v > max) {
        return Fail(ErrorCode::kInvalid, "telephony." + key,
                    "must be from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<int>(v);
    return {};
}

Result<void> ReadTls(const toml::node_view<const toml::node>& t, TelephonyConfig& c) {
    if (auto r = Read(t["tls_listen"], "tls_listen", c.tls_listen); !r) return r;
    if (auto r = Read(t["tls_certificate"], "tls_certificate", c.tls_certificate); !r) return r;
    if (auto r = Read(t["tls_key"], "tls_key", c.tls_key); !r) return r;
    if (c.tls_listen.empty()) {
        if (!c.tls_certificate.empty() || !c.tls_key.empty()) {
            return Fail(ErrorCode::kInvalid, "telephony.tls_listen",
                        "is needed with tls_certificate and tls_key (the address for SIP over TLS, e.g. \"0.0.0.0:5061\")");
        }
        return {};
    }
    if (auto hp = SplitHostPort(c.tls_listen, "telephony.tls_listen"); !hp) return tl::unexpected(hp.error());
    if (c.tls_certificate.empty()) return Fail(ErrorCode::kInvalid, "telephony.tls_certificate", "is needed with tls_listen");
    if (c.tls_key.empty()) return Fail(ErrorCode::kInvalid, "telephony.tls_key", "is needed with tls_listen");
    return {};
}

// A trunk's settings beyond the ones the console shares (records::CheckTrunk): encryption and its TLS files.
Result<void> ReadTrunkTls(const toml::table& table, const std::string& field, Trunk& trunk) {
    if (auto node = table["encryption"]; node) {
        auto text = node.value<std::string>();
        if (!text) return Fail(ErrorCode::kInvalid, field + ".encryption", "must be \"required\", \"preferred\" or \"off\"");
        auto encryption = records::ParseEncryption(*text, field + ".encryption");
        if (!encryption) return tl::unexpected(encryption.error());
        trunk.encryption = *encryption;
    }
    for (auto [key, out] : {std::pair{"tls_ca", &trunk.tls_ca}, std::pair{"tls_name", &trunk.tls_name},
                            std::pair{"tls_certificate", &trunk.tls_certificate}, std::pair{"tls_key", &trunk.tls_key}}) {
        if (auto node = table[key]; node) {
            auto text = node.value<std::string>();
            if (!text || text->empty()) return Fail(ErrorCode::kInvalid, field + "." + key, "must be a file path");
            *out = *text;
        }
    }
    if (trunk.tls_certificate.empty() != trunk.tls_key.empty()) {
        return Fail(ErrorCode::kInvalid, field + (trunk.tls_key.empty() ? ".tls_key" : ".tls_certificate"),
                    "is needed with the other (the client certificate and its key, for mutual TLS)");
    }
    if (!trunk.tls_name.empty() && trunk.tls_ca.empty()) {
        return Fail(ErrorCode::kInvalid, field + ".tls_name", "is checked only against a tls_ca; set tls_ca too");
    }
    return {};
}

}  // namespace

Result<TelephonyConfig> ParseTelephonyConfig(const toml::table& root) {
    TelephonyConfig c;
    auto t = root["telephony"];
    if (!t) return c;
    if (!t.is_table()) return Fail(ErrorCode::kInvalid, "telephony", "must be a table");
    for (auto& [key, value] : *t.as_table()) {
        static const std::vector<std::string> known = {
            "enabled", "listen", "tls_listen", "tls_certificate", "tls_key", "rtp_address", "rtp_ports", "media_sockets", "realm", "prompts", "choice_wait_s", "rtp_timeout_s",
            "counsellor_media_timeout_s", "survey_wait_s",
            "registration_max_s", "available_on_register", "media_peers", "trunk",
            "trunk_calls_per_s", "line_max_calls", "line_max_waiting"};
        if (std::find(known.begin(), known.end(), std::string(key.str())) == known.end()) {
            return Fail(ErrorCode::kInvalid, "telephony." + std::string(key.str()), "is not a known setting");
        }
    }
    if (auto r = Read(t["enabled"], "enabled", c.enabled); !r) return tl::unexpected(r.error());
    if (auto r = Read(t["listen"], "listen", c.listen); !r) return tl::unexpected(r.error());
    if (auto hp = SplitHostPort(c.listen, "telephony.listen"); !hp) return tl::unexpected(hp.error());
    if (auto r = ReadTls(t, c); !r) return tl::unexpected(r.error());
    if (auto r = Read(t["rtp_address"], "rtp_address", c.rtp_address); !r) return tl::unexpected(r.error());
    if (auto r = Read(t["realm"], "realm", c.realm); !r) return tl::unexpected(r.error());
    if (c.realm.empty()) return Fail(ErrorCode::kInvalid, "telephony.realm", "must not be empty");
    if (auto r = Read(t["prompts"], "prompts", c.prompts_dir); !r) return tl::unexpected(r.error());
    if (auto r = ReadSeconds(t["choice_wait_s"], "choice_wait_s", c.choice_wait_s, 0, 30); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["survey_wait_s"], "survey_wait_s", c.survey_wait_s, 1, 60); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["rtp_timeout_s"], "rtp_timeout_s", c.rtp_timeout_s, 5, 600); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["counsellor_media_timeout_s"], "counsellor_media_timeout_s",
                             c.counsellor_media_timeout_s, 3, 600);
        !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["registration_max_s"], "registration_max_s", c.registration_max_s, 60, 86400); !r) {
        return tl::unexpected(r.error());
    }
    // Admission control (Switchboard::OnInvite): ReadSeconds checks any bounded whole number.
    if (auto r = ReadSeconds(t["trunk_calls_per_s"], "trunk_calls_per_s", c.trunk_calls_per_s, 1, 10000); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["line_max_calls"], "line_max_calls", c.line_max_calls, 1, 100000); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = ReadSeconds(t["line_max_waiting"], "line_max_waiting", c.line_max_waiting, 1, 100000); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = Read(t["available_on_register"], "available_on_register", c.available_on_register); !r) {
        return tl::unexpected(r.error());
    }
    if (auto peers = t["media_peers"]; peers) {
        auto* arr = peers.as_array();
        if (!arr) return Fail(ErrorCode::kInvalid, "telephony.media_peers", "must be a list of IPv4 addresses or ranges");
        for (auto& entry : *arr) {
            auto text = entry.value<std::string>();
            if (!text) return Fail(ErrorCode::kInvalid, "telephony.media_peers", "must be a list of IPv4 addresses or ranges");
            auto peer = ParseMediaPeer(*text, "telephony.media_peers");
            if (!peer) return tl::unexpected(peer.error());
            c.media_peers.push_back(*peer);
        }
    }
    if (auto ports = t["rtp_ports"]; ports) {
        auto* arr = ports.as_array();
        if (!arr || arr->size() != 2 || !(*arr)[0].is_integer() || !(*arr)[1].is_integer()) {
            return Fail(ErrorCode::kInvalid, "telephony.rtp_ports", "must be [first, last], e.g. [20000, 39999]");
        }
        auto lo = (*arr)[0].value<std::int64_t>().value_or(0);
        auto hi = (*arr)[1].value<std::int64_t>().value_or(0);
        if (lo < 1024 || hi > 65535 || hi - lo < 16) {
            return Fail(ErrorCode::kInvalid, "telephony.rtp_ports", "must be within 1024-65535 and span at least 16 ports");
        }
        c.rtp_port_min = static_cast<std::uint16_t>(lo);
        c.rtp_port_max = static_cast<std::uint16_t>(hi);
    }
    if (auto sockets = t["media_sockets"]; sockets) {
        auto n = sockets.value<std::int64_t>();
        if (!sockets.is_integer() || !n || *n < 1 || *n > 256) {
            return Fail(ErrorCode::kInvalid, "telephony.media_sockets", "must be a whole number from 1 to 256");
        }
        c.media_sockets = static_cast<std::size_t>(*n);
    }
    if (2 * c.media_sockets > static_cast<std::size_t>(c.rtp_port_max - c.rtp_port_min) + 1) {
        return Fail(ErrorCode::kInvalid, "telephony.rtp_ports",
                    "must span at least twice telephony.media_sockets ports (one even port per socket)");
    }
    if (auto trunks = t["trunk"]; trunks) {
        auto* arr = trunks.as_array();
        if (!arr) return Fail(ErrorCode::kInvalid, "telephony.trunk", "must be an array of tables ([[telephony.trunk]])");
        for (size_t i = 0; i < arr->size(); ++i) {
            std::string field = "telephony.trunk[" + std::to_string(i) + "]";
            auto* table = (*arr)[i].as_table();
            if (!table) return Fail(ErrorCode::kInvalid, field, "must be a table");
            Trunk trunk;
            trunk.name = (*table)["name"].value_or(std::string());
            if (trunk.name.empty()) return Fail(ErrorCode::kInvalid, field + ".name", "is required");
            if (auto* allow = (*table)["allow"].as_array()) {
                for (auto& a : *allow) {
                    auto s = a.value<std::string>();
                    if (!s || s->empty()) return Fail(ErrorCode::kInvalid, field + ".allow", "must be a list of addresses");
                    trunk.allow.push_back(*s);
                }
            } else if ((*table)["allow"]) {
                return Fail(ErrorCode::kInvalid, field + ".allow", "must be a list of addresses");
            }
            trunk.outbound = (*table)["outbound"].value_or(std::string());
            trunk.username = (*table)["username"].value_or(std::string());
            trunk.password = (*table)["password"].value_or(std::string());
            if (auto tls = ReadTrunkTls(*table, field, trunk); !tls) return tl::unexpected(tls.error());
            if (auto ok = records::CheckTrunk(trunk, field + "."); !ok) return tl::unexpected(ok.error());
            for (size_t j = 0; j < i; ++j) {
                if (c.trunks[j].name == trunk.name) return Fail(ErrorCode::kInvalid, field + ".name", "is used by another trunk");
            }
            c.trunks.push_back(std::move(trunk));
        }
    }
    return c;
}

}  // namespace crisisline::telephony
