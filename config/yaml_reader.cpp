#include "config/yaml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace chairwatch::config {

namespace {

std::string describe(const YAML::Node& n) {
    if (n.IsScalar()) return "'" + n.Scalar() + "'";
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    return "nothing";
}

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

void YamlReader::error(const YAML::Mark& at, std::string message) {
    const int line = at.line >= 0 ? at.line + 1 : 1;
    const int column = at.column >= 0 ? at.column + 1 : 1;
    for (const auto& e : errors_)  // an inherited mistake is reported once
        if (e.line == line && e.column == column && e.message == message) return;
    errors_.push_back({file_, line, column, std::move(message)});
}

bool YamlReader::expect_map(const YAML::Node& map, const std::string& path) {
    if (map.IsMap()) return true;
    error(map, (path.empty() ? std::string("the file") : path) + ": expected a mapping, got " +
                   describe(map));
    return false;
}

bool YamlReader::expect_map(const YAML::Node& map, const std::string& path,
                            std::initializer_list<std::string_view> allowed) {
    if (!expect_map(map, path)) return false;
    for (const auto& kv : map) {
        const auto key = kv.first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string known;
        for (auto a : allowed)
            known += (known.empty() ? "" : ", ") + std::string(a);
        error(kv.first, "unknown key '" + join(path, key) + "' (known here: " + known + ")");
    }
    return true;
}

void YamlReader::check_duplicate_keys(const YAML::Node& root) {
    std::set<std::pair<int, int>> visited;
    check_duplicate_keys(root, "", visited);
}

// `visited` holds the start of every collection walked: an alias names a collection already
// walked, and walking it again could take exponential time (or, through a cycle, forever).
void YamlReader::check_duplicate_keys(const YAML::Node& node, const std::string& path,
                                      std::set<std::pair<int, int>>& visited) {
    if (!node.IsMap() && !node.IsSequence()) return;
    if (!visited.emplace(node.Mark().line, node.Mark().column).second) return;
    if (node.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : node)
            check_duplicate_keys(item, path + "[" + std::to_string(i++) + "]", visited);
        return;
    }
    std::map<std::string, YAML::Mark> seen;
    for (const auto& kv : node) {
        if (!kv.first.IsScalar()) continue;
        const auto& key = kv.first.Scalar();
        const auto [first, fresh] = seen.emplace(key, kv.first.Mark());
        if (!fresh)
            error(kv.first, "duplicate key '" + join(path, key) + "' (first at " + file_ + ":" +
                                std::to_string(first->second.line + 1) + ":" +
                                std::to_string(first->second.column + 1) + "): give each key once");
        check_duplicate_keys(kv.second, join(path, key), visited);
    }
}

YAML::Mark YamlReader::key_mark(const YAML::Node& map, const std::string& key) const {
    for (const auto& kv : map)
        if (kv.first.Scalar() == key) return kv.first.Mark();
    return map.Mark();
}

std::optional<double> YamlReader::number(const YAML::Node& map, const std::string& key,
                                         const std::string& path, double lo, double hi) {
    const auto n = map[key];
    if (!n) return std::nullopt;
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
        error(n, join(path, key) + ": expected a number, got " + describe(n));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        error(n, join(path, key) + ": " + format_number(v) + " is out of range [" +
                     format_number(lo) + ", " + format_number(hi) + "]");
        return std::nullopt;
    }
    return v;
}

std::optional<int> YamlReader::integer(const YAML::Node& map, const std::string& key,
                                       const std::string& path, long lo, long hi) {
    const auto n = map[key];
    if (!n) return std::nullopt;
    long v = 0;
    if (!n.IsScalar() || !YAML::convert<long>::decode(n, v)) {
        error(n, join(path, key) + ": expected a whole number, got " + describe(n));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        error(n, join(path, key) + ": " + std::to_string(v) + " is out of range [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return std::nullopt;
    }
    return static_cast<int>(v);
}

std::optional<std::string> YamlReader::string(const YAML::Node& map, const std::string& key,
                                              const std::string& path) {
    const auto n = map[key];
    if (!n) return std::nullopt;
    if (!n.IsScalar()) {
        error(n, join(path, key) + ": expected a string, got " + describe(n));
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<std::vector<std::string>> YamlReader::strings(const YAML::Node& map,
                                                            const std::string& key,
                                                            const std::string& path) {
    const auto n = map[key];
    if (!n) return std::nullopt;
    if (!n.IsSequence()) {
        error(n, join(path, key) + ": expected a list of names");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : n) {
        if (!item.IsScalar() || item.Scalar().empty()) {
            error(item, join(path, key) + ": expected a list of names");
            return std::nullopt;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& map, const std::string& key,
                                        const std::string& path) {
    const auto n = map[key];
    if (!n) return std::nullopt;
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
        error(n, join(path, key) + ": expected true or false, got " + describe(n));
        return std::nullopt;
    }
    return v;
}

std::optional<YAML::Node> parse_yaml(const std::string& text, YamlReader& r) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        r.error(e.mark, "YAML syntax: " + e.msg);
        return std::nullopt;
    }
    r.check_duplicate_keys(root);
    return root;
}

}  // namespace chairwatch::config
