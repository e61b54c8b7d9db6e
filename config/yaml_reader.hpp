// Walks a YAML tree, reading typed values and collecting every problem with its position.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace chairwatch::config {

class YamlReader {
  public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    void error(const YAML::Mark& at, std::string message);
    void error(const YAML::Node& at, std::string message) { error(at.Mark(), std::move(message)); }

    // Reports each key of `map` not in `allowed`; false if `map` is not a mapping.
    bool expect_map(const YAML::Node& map, const std::string& path,
                    std::initializer_list<std::string_view> allowed);
    bool expect_map(const YAML::Node& map, const std::string& path);

    std::optional<double> number(const YAML::Node& map, const std::string& key,
                                 const std::string& path, double lo, double hi);
    std::optional<int> integer(const YAML::Node& map, const std::string& key,
                               const std::string& path, long lo, long hi);
    std::optional<std::string> string(const YAML::Node& map, const std::string& key,
                                      const std::string& path);
    std::optional<bool> boolean(const YAML::Node& map, const std::string& key,
                                const std::string& path);
    // A list of non-empty strings; nullopt (with an error) if it is not one.
    std::optional<std::vector<std::string>> strings(const YAML::Node& map, const std::string& key,
                                                    const std::string& path);

    // Reports every key given twice in one mapping, anywhere in the tree, with both places
    // (yaml-cpp keeps both, and which one a reader sees depends on how it looks).
    void check_duplicate_keys(const YAML::Node& root);

    // The mark of a key itself (for "here is where that key is"), or of the map if absent.
    YAML::Mark key_mark(const YAML::Node& map, const std::string& key) const;

    std::vector<ConfigError> take_errors() { return std::move(errors_); }
    bool ok() const { return errors_.empty(); }
    const std::string& file() const { return file_; }

  private:
    void check_duplicate_keys(const YAML::Node& node, const std::string& path,
                              std::set<std::pair<int, int>>& visited);

    std::string file_;
    std::vector<ConfigError> errors_;
};

std::string join(const std::string& path, const std::string& key);
// The YAML tree of `text`, its keys given twice reported; nullopt after a syntax error
// (reported with its position).
std::optional<YAML::Node> parse_yaml(const std::string& text, YamlReader& r);

}  // namespace chairwatch::config
