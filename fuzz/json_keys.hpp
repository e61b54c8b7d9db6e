// For the fuzz targets: whether a JSON text repeats a key in one of its objects, found without
// the decoders' own code. Boost.JSON's DOM keeps one entry per key, so the text repeats a key
// exactly when it names more keys than its DOM holds entries.
#pragma once

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace chairwatch::fuzz {

namespace json = boost::json;

struct KeyCounter {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    std::size_t keys{0};

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t, json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t, json::error_code&) { return true; }
    bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_key(json::string_view, std::size_t, json::error_code&) {
        ++keys;
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
};

inline std::size_t entries(const json::value& v) {
    std::size_t n = 0;
    if (v.is_object())
        for (const auto& kv : v.get_object())
            n += 1 + entries(kv.value());
    if (v.is_array())
        for (const auto& item : v.get_array())
            n += entries(item);
    return n;
}

// True if `text` (valid JSON, parsed as `dom`) repeats a key in one of its objects.
inline bool repeats_a_key(std::string_view text, const json::value& dom) {
    json::basic_parser<KeyCounter> parser(json::parse_options{});
    json::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    return !ec && parser.handler().keys != entries(dom);
}

// The same for a text not parsed yet; nothing if it is not valid JSON.
inline std::optional<bool> repeats_a_key(std::string_view text) {
    json::error_code ec;
    const auto dom = json::parse(text, ec);
    if (ec) return std::nullopt;
    return repeats_a_key(text, dom);
}

}  // namespace chairwatch::fuzz
