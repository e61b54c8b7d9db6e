#include "drivers/codec/json_duplicates.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <unordered_set>
#include <vector>

namespace chairwatch::drivers {

namespace {

namespace json = boost::json;

// Keeps the keys of each open object; stops at the first one seen twice.
class KeyHandler {
  public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    std::optional<std::string> duplicate;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        if (depth_ == open_.size()) open_.emplace_back();
        open_[depth_++].clear();
        return true;
    }
    bool on_object_end(std::size_t, json::error_code&) {
        --depth_;
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t, json::error_code&) { return true; }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        if (!open_[depth_ - 1].insert(key_).second) {
            duplicate = std::move(key_);
            return false;
        }
        key_.clear();
        return true;
    }
    bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
    bool on_double(double, json::string_view, json::error_code&) { return true; }
    bool on_bool(bool, json::error_code&) { return true; }
    bool on_null(json::error_code&) { return true; }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

  private:
    std::vector<std::unordered_set<std::string>> open_;  // by depth, reused
    std::size_t depth_{0};
    std::string key_;
};

}  // namespace

std::optional<std::string> duplicate_key(std::string_view text) {
    json::basic_parser<KeyHandler> parser(json::parse_options{});
    json::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    return std::move(parser.handler().duplicate);
}

}  // namespace chairwatch::drivers
