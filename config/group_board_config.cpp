#include "config/group_board_config.hpp"

#include "alerts/site.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/broker_reader.hpp"
#include "config/http_reader.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

namespace {

constexpr std::size_t max_sites = 64;

bool printable(const std::string& s) {
    for (const char ch : s)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return false;
    return true;
}

// `a` is `b`, or a topic level above it ("north" above "north/clinic"): their topics mix.
bool overlaps(const std::string& a, const std::string& b) {
    const auto& shorter = a.size() <= b.size() ? a : b;
    const auto& longer = a.size() <= b.size() ? b : a;
    return longer.starts_with(shorter) &&
           (longer.size() == shorter.size() || longer[shorter.size()] == '/');
}

void read_site(YamlReader& r, const YAML::Node& n, const std::string& path, GroupBoardConfig& c) {
    if (!r.expect_map(n, path, {"name", "prefix", "site", "status_topic"})) return;
    GroupBoardSite s;
    if (!n["name"]) r.error(n, path + ".name: missing");
    if (!n["prefix"]) r.error(n, path + ".prefix: missing");
    if (auto v = r.string(n, "name", path)) {
        if (v->empty() || v->size() > 64 || !printable(*v))
            r.error(n["name"], path + ".name: '" + *v + "' must be 1-64 printable characters");
        s.name = *v;
    }
    if (auto v = r.string(n, "prefix", path)) {
        if (v->empty() || v->find_first_of("+#") != std::string::npos || v->back() == '/' ||
            !printable(*v))
            r.error(n["prefix"], path + ".prefix: '" + *v +
                                     "' must be a non-empty topic without wildcards or a "
                                     "trailing '/' (the site's broker.topic_prefix)");
        s.prefix = *v;
    }
    std::string site;  // the site's `site.id`, which names its status topic
    if (auto v = r.string(n, "site", path)) {
        if (!alerts::valid_site_id(*v))
            r.error(n["site"], path + ".site: '" + *v +
                                   "' must be the site's site.id (1-16 of a-z, 0-9 and '-')");
        site = *v;
    }
    if (auto v = r.string(n, "status_topic", path)) {
        if (v->empty() || v->find_first_of("+#") != std::string::npos)
            r.error(n["status_topic"],
                    path + ".status_topic: '" + *v + "' must be a topic without wildcards");
        s.status_topic = *v;
    }
    for (const auto& other : c.sites) {
        if (!s.name.empty() && other.name == s.name)
            r.error(n["name"], path + ".name: '" + s.name + "' names two sites");
        if (!s.prefix.empty() && !other.prefix.empty() && overlaps(other.prefix, s.prefix))
            r.error(n["prefix"], path + ".prefix: '" + s.prefix + "' and '" + other.prefix +
                                     "' overlap: one site's topics would be read as the other's");
    }
    if (s.status_topic.empty() && !s.prefix.empty())
        s.status_topic = s.prefix + "/chairwatchd/" + (site.empty() ? "" : site + "/") + "status";
    c.sites.push_back(std::move(s));
}

void read_sites(YamlReader& r, const YAML::Node& n, GroupBoardConfig& c) {
    if (!n.IsSequence() || n.size() == 0 || n.size() > max_sites) {
        r.error(n, "sites: must be a list of 1 to " + std::to_string(max_sites) +
                       " sites ({name, prefix})");
        return;
    }
    for (std::size_t i = 0; i < n.size(); ++i)
        read_site(r, n[i], "sites[" + std::to_string(i) + "]", c);
}

void read_group_http(YamlReader& r, const YAML::Node& n, HttpConfig& h) {
    read_http(r, n, h);
    if (n["users_file"])
        r.error(r.key_mark(n, "users_file"),
                "http.users_file: the group board is read-only and takes the station token "
                "(http.token_file) or http.read_only_without_token, not personal logins");
}

GroupBoardLoad load(const YAML::Node& root, YamlReader& r) {
    GroupBoardConfig c;
    c.source = r.file();
    c.broker.client_id = "chairwatch-group-board";
    c.broker.queue_dir.clear();  // it publishes nothing
    c.http.port = 8090;
    c.http.station_name = "group board";
    if (root.IsNull()) {
        r.error(root, "the file is empty");
    } else if (r.expect_map(root, "", {"broker", "http", "sites"})) {
        if (root["broker"]) read_broker(r, root["broker"], c.broker);
        if (root["http"]) read_group_http(r, root["http"], c.http);
        if (root["sites"])
            read_sites(r, root["sites"], c);
        else
            r.error(root, "sites: missing (a list of {name, prefix})");
    }
    check_broker(r, root, c.broker);
    GroupBoardLoad out;
    out.errors = r.take_errors();
    if (out.errors.empty()) out.config = std::move(c);
    return out;
}

}  // namespace

GroupBoardLoad load_group_board_text(const std::string& text, const std::string& name) {
    YamlReader r(name);
    const auto root = parse_yaml(text, r);
    if (!root) return {std::nullopt, r.take_errors()};
    return load(*root, r);
}

GroupBoardLoad load_group_board_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return {std::nullopt, {{path, 1, 1, "cannot open " + path + ": " + std::strerror(errno)}}};
    std::ostringstream text;
    text << in.rdbuf();
    return load_group_board_text(text.str(), path);
}

}  // namespace chairwatch::config
