#include "config/notify_reader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "config/reader_util.hpp"

namespace chairwatch::config {

namespace {

const std::string section = "notifications";

// A list of names each parsed by `parse`; `what` names the allowed values in the error.
template <typename T, typename Parse>
std::vector<T> enums(YamlReader& r, const YAML::Node& map, const std::string& key,
                     const std::string& path, Parse parse, const char* what) {
    std::vector<T> out;
    const auto names = r.strings(map, key, path);
    if (!names) return out;
    std::size_t i = 0;
    for (const auto& name : *names) {
        if (auto v = parse(name))
            out.push_back(*v);
        else
            r.error(map[key][i], join(path, key) + ": '" + name + "' is not one of " + what);
        ++i;
    }
    return out;
}

std::optional<std::string> read_file_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    return line;
}

void read_ca_file(YamlReader& r, const YAML::Node& n, const std::string& path, std::string& out) {
    if (auto v = r.string(n, "ca_file", path)) {
        if (!std::ifstream(*v))
            r.error(n["ca_file"], join(path, "ca_file") + ": cannot read '" + *v + "'");
        out = *v;
    }
}

void read_webhook(YamlReader& r, const YAML::Node& n, const std::string& path, WebhookReceiver& w) {
    if (!r.expect_map(
            n, path,
            {"type", "url", "secret_file", "timeout_s", "tls_verify", "ca_file", "headers"}))
        return;
    if (auto v = r.string(n, "url", path)) {
        const bool http = v->rfind("http://", 0) == 0 && v->size() > 7;
        const bool https = v->rfind("https://", 0) == 0 && v->size() > 8;
        if (http || https)
            w.url = *v;
        else
            r.error(n["url"],
                    join(path, "url") + ": '" + *v + "' is not an http:// or https:// URL");
    } else {
        r.error(n, join(path, "url") + ": missing");
    }
    if (auto v = r.string(n, "secret_file", path)) {
        w.secret_file = *v;
        if (auto s = read_file_line(*v); s && !s->empty())
            w.secret = *s;
        else
            r.error(n["secret_file"],
                    join(path, "secret_file") + ": cannot read a secret from '" + *v + "'");
    }
    if (auto v = r.number(n, "timeout_s", path, 0.1, 120)) w.timeout = from_seconds(*v);
    if (auto v = r.boolean(n, "tls_verify", path)) w.tls_verify = *v;
    read_ca_file(r, n, path, w.ca_file);
    if (const auto h = n["headers"]) {
        if (!r.expect_map(h, join(path, "headers"))) return;
        for (const auto& kv : h) {
            const auto name = kv.first.Scalar();
            const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            });
            if (!token || !kv.second.IsScalar() ||
                kv.second.Scalar().find_first_of("\r\n") != std::string::npos)
                r.error(kv.first, join(path, "headers") + ": '" + name +
                                      "' must be a header name with a one-line text value");
            else
                w.headers.emplace_back(name, kv.second.Scalar());
        }
    }
}

void read_receivers(YamlReader& r, const YAML::Node& n, NotifyConfig& c) {
    const auto path = join(section, "receivers");
    if (!r.expect_map(n, path)) return;
    for (const auto& kv : n) {
        Receiver rc;
        rc.name = kv.first.Scalar();
        const auto rpath = join(path, rc.name);
        const auto& body = kv.second;
        if (!r.expect_map(body, rpath)) continue;
        const auto type = r.string(body, "type", rpath);
        if (!type) {
            if (!body["type"]) r.error(body, join(rpath, "type") + ": missing (webhook or acm)");
            continue;
        }
        if (*type == "webhook") {
            rc.type = Receiver::Type::webhook;
            read_webhook(r, body, rpath, rc.webhook);
        } else if (*type == "acm") {
            rc.type = Receiver::Type::acm;
            read_acm(r, body, rpath, rc.acm, true);
        } else {
            r.error(body["type"],
                    join(rpath, "type") + ": '" + *type + "' is not one of webhook, acm");
            continue;
        }
        c.receivers.emplace(rc.name, std::move(rc));
    }
}

void read_groups(YamlReader& r, const YAML::Node& n, NotifyConfig& c) {
    const auto path = join(section, "chair_groups");
    if (!r.expect_map(n, path)) return;
    for (const auto& kv : n)
        if (auto chairs = r.strings(n, kv.first.Scalar(), path))
            c.chair_groups.emplace(kv.first.Scalar(), std::move(*chairs));
}

void check_receiver(YamlReader& r, const YAML::Node& at, const NotifyConfig& c, const Route& route,
                    const std::string& key, const std::string& name) {
    if (!c.receivers.count(name))
        r.error(at, "route '" + route.name + "': " + key + " names receiver '" + name +
                        "', which is not under notifications.receivers");
}

std::optional<Route> read_route(YamlReader& r, const YAML::Node& n, const std::string& path,
                                std::string name, const NotifyConfig& c, bool is_default) {
    Route route;
    route.name = std::move(name);
    if (is_default) {
        if (!r.expect_map(n, path, {"receivers", "escalate_to", "fallback"})) return std::nullopt;
    } else if (!r.expect_map(
                   n, path,
                   {"name", "match", "receivers", "escalate_to", "fallback", "continue"})) {
        return std::nullopt;
    }
    if (auto v = r.string(n, "name", path); v && !v->empty()) route.name = *v;
    if (const auto m = n["match"]) {
        const auto mpath = join(path, "match");
        if (r.expect_map(
                m, mpath,
                {"chairs", "chair_groups", "conditions", "kinds", "priorities", "states"})) {
            if (auto v = r.strings(m, "chairs", mpath)) route.match.chairs = *v;
            if (auto v = r.strings(m, "conditions", mpath)) route.match.conditions = *v;
            if (auto v = r.strings(m, "chair_groups", mpath)) {
                for (std::size_t i = 0; i < v->size(); ++i)
                    if (!c.chair_groups.count((*v)[i]))
                        r.error(m["chair_groups"][i],
                                "route '" + route.name + "': chair group '" + (*v)[i] +
                                    "' is not under notifications.chair_groups");
                route.match.chair_groups = *v;
            }
            route.match.kinds =
                enums<alerts::AlarmKind>(r, m, "kinds", mpath, alerts::parse_alarm_kind,
                                         "physiological, technical, advisory");
            route.match.priorities = enums<alerts::Priority>(
                r, m, "priorities", mpath, alerts::parse_priority, "low, medium, high");
            route.match.states =
                enums<alerts::AlarmState>(r, m, "states", mpath, alerts::parse_alarm_state,
                                          "raised, updated, acknowledged, escalated, cleared");
        }
    }
    const auto names = [&](const char* key, std::vector<std::string>& out) {
        if (auto v = r.strings(n, key, path)) {
            for (std::size_t i = 0; i < v->size(); ++i)
                check_receiver(r, n[key][i], c, route, key, (*v)[i]);
            out = *v;
        }
    };
    names("receivers", route.receivers);
    names("escalate_to", route.escalate_to);
    if (auto v = r.string(n, "fallback", path)) {
        check_receiver(r, n["fallback"], c, route, "fallback", *v);
        route.fallback = *v;
    }
    if (auto v = r.boolean(n, "continue", path)) route.continue_matching = *v;
    if (route.receivers.empty() && route.escalate_to.empty())
        r.error(n, "route '" + route.name + "': names no receivers and no escalate_to");
    return route;
}

void read_timing(YamlReader& r, const YAML::Node& n, NotifyConfig& c) {
    if (auto v = r.number(n, "group_window_s", section, 0, 60)) c.group_window = from_seconds(*v);
    if (auto v = r.number(n, "fail_after_s", section, 1, 86400)) c.fail_after = from_seconds(*v);
    if (const auto retry = n["retry"]) {
        const auto path = join(section, "retry");
        if (r.expect_map(retry, path, {"first_s", "max_s"})) {
            if (auto v = r.number(retry, "first_s", path, 0.1, 3600))
                c.retry_first = from_seconds(*v);
            if (auto v = r.number(retry, "max_s", path, 0.1, 3600)) c.retry_max = from_seconds(*v);
            if (c.retry_max < c.retry_first)
                r.error(retry, path + ": max_s must not be below first_s");
        }
    }
}

void read_listener(YamlReader& r, const YAML::Node& n, NotifyConfig& c) {
    const auto path = join(section, "acm_status_listener");
    if (!r.expect_map(n, path, {"address", "port"})) return;
    AcmStatusListener l;
    if (auto v = r.string(n, "address", path)) l.address = *v;
    if (auto v = r.integer(n, "port", path, 1, 65535))
        l.port = *v;
    else if (!n["port"])
        r.error(n, join(path, "port") + ": missing");
    c.acm_status_listener = l;
}

}  // namespace

void read_acm(YamlReader& r, const YAML::Node& n, const std::string& path, AcmReceiver& a,
              bool receiver) {
    const bool is_map =
        receiver ? r.expect_map(n, path,
                                {"type", "host", "port", "tls", "tls_verify", "ca_file",
                                 "timeout_s", "sending_application", "sending_facility",
                                 "receiving_application", "receiving_facility", "patient_id"})
                 : r.expect_map(n, path,
                                {"host", "port", "tls", "tls_verify", "ca_file", "timeout_s",
                                 "sending_application", "sending_facility", "receiving_application",
                                 "receiving_facility"});
    if (!is_map) return;
    if (auto v = r.string(n, "host", path); v && !v->empty())
        a.host = *v;
    else
        r.error(v ? n["host"] : n, join(path, "host") + ": missing");
    if (auto v = r.integer(n, "port", path, 1, 65535))
        a.port = *v;
    else if (!n["port"])
        r.error(n, join(path, "port") + ": missing");
    if (auto v = r.boolean(n, "tls", path)) a.tls = *v;
    if (auto v = r.boolean(n, "tls_verify", path)) a.tls_verify = *v;
    read_ca_file(r, n, path, a.ca_file);
    if (auto v = r.number(n, "timeout_s", path, 0.1, 120)) a.timeout = from_seconds(*v);
    const auto hd = [&](const char* key, std::string& out) {
        if (auto v = r.string(n, key, path)) {
            if (v->find_first_of("|^~\\&\r\n") != std::string::npos)
                r.error(n[key], join(path, key) + ": '" + *v +
                                    "' contains an HL7 delimiter (| ^ ~ \\ &) or a line end");
            else
                out = *v;
        }
    };
    hd("sending_application", a.sending_application);
    hd("sending_facility", a.sending_facility);
    hd("receiving_application", a.receiving_application);
    hd("receiving_facility", a.receiving_facility);
    if (auto v = r.string(n, "patient_id", path)) {
        if (*v == "pseudonym" || *v == "none")
            a.patient_pseudonym = *v == "pseudonym";
        else
            r.error(n["patient_id"],
                    join(path, "patient_id") + ": '" + *v + "' is not one of pseudonym, none");
    }
}

void read_notifications(YamlReader& r, const YAML::Node& n, NotifyConfig& c) {
    if (!r.expect_map(n, section,
                      {"receivers", "chair_groups", "routes", "default_route", "group_window_s",
                       "retry", "fail_after_s", "outbox_dir", "acm_status_listener"}))
        return;
    if (n["receivers"]) read_receivers(r, n["receivers"], c);
    if (n["chair_groups"]) read_groups(r, n["chair_groups"], c);
    if (const auto routes = n["routes"]) {
        if (!routes.IsSequence()) {
            r.error(routes, join(section, "routes") + ": expected a list of routes");
        } else {
            std::size_t i = 0;
            for (const auto& item : routes) {
                const auto path = section + ".routes[" + std::to_string(i++) + "]";
                if (auto route = read_route(r, item, path, "routes[" + std::to_string(i - 1) + "]",
                                            c, false))
                    c.routes.push_back(std::move(*route));
            }
        }
    }
    if (const auto d = n["default_route"])
        c.default_route =
            read_route(r, d, join(section, "default_route"), "default_route", c, true);
    read_timing(r, n, c);
    if (auto v = r.string(n, "outbox_dir", section)) c.outbox_dir = *v;
    if (n["acm_status_listener"]) read_listener(r, n["acm_status_listener"], c);
    if (!c.receivers.empty() && c.routes.empty() && !c.default_route)
        r.error(n,
                section + ": receivers but no routes and no default_route: nothing would be sent");
}

void finish_notifications(NotifyConfig& c, const BrokerConfig& broker, bool outbox_dir_given) {
    if (outbox_dir_given || broker.queue_dir.empty()) return;
    auto dir = std::filesystem::path(broker.queue_dir);
    if (!dir.has_filename()) dir = dir.parent_path();  // "/var/lib/chairwatch/queue/"
    c.outbox_dir = (dir.parent_path() / "notify").string();
}

}  // namespace chairwatch::config
