// The fast path of decode_vitals: one pass of Boost.JSON's SAX parser over a vitals object that
// collects `ts`, `seq` and the vital fields without building a DOM. It only handles what it can
// judge exactly as the DOM path does; anything else (invalid JSON, a non-object, a vital or ts
// that is not a number, a key that may repeat in its object, more keys or nesting than it
// tracks) makes it give up, and the caller decodes the payload the full way, with its precise
// rejection messages. Repeats are found without allocating: a 32-bit hash of each key and of
// its object, in a small table; equal hashes (a repeat, or rarely a collision) mean "give up".
// Internal to payload_codec.cpp.
#pragma once

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::drivers::scan {

namespace json = boost::json;

// What a vitals object says, field by field (numbers as the DOM path converts them).
struct Fields {
    enum Key : std::int8_t { other = -1, ts = 0, seq = 1, first_signal = 2 };
    static constexpr std::size_t count = 2 + alerts::signal_count;

    std::array<double, count> number{};
    std::uint16_t present{0};  // bit per Key: the field came, as a number
    static_assert(count <= 16, "a bit of `present` per key");
    bool seq_is_int64{false};
    std::int64_t seq_value{0};
    std::array<char, 64> ts_text{};
    std::size_t ts_size{0};
    bool ts_is_text{false};

    bool has(int k) const { return (present >> k) & 1U; }
};

class Handler {
  public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    Fields fields;
    bool give_up{false};    // the DOM path must judge this payload
    bool is_object{false};  // the document is an object

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return open(); }
    bool on_object_end(std::size_t, json::error_code&) { return close(); }
    bool on_array_begin(json::error_code&) { return depth_ == 0 ? stop() : open(); }
    bool on_array_end(std::size_t, json::error_code&) { return close(); }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) { return key_part(s); }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_part(s);
        if (!remember_key()) return stop();  // maybe a repeated key: the DOM path decides
        if (depth_ == 1) current_ = lookup();
        key_size_ = 0;
        key_hash_ = fnv_basis;
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        return text_part(s);
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        if (!text_part(s)) return false;
        if (at(Fields::ts)) {
            fields.ts_is_text = true;
            fields.present |= 1U << Fields::ts;
            return true;
        }
        return at_vital() ? stop() : true;  // a vital as text: wrong_type, the DOM path's words
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        if (at(Fields::seq)) {
            fields.seq_is_int64 = true;
            fields.seq_value = i;
        }
        return number(static_cast<double>(i));
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        return number(static_cast<double>(u));
    }
    bool on_double(double d, json::string_view, json::error_code&) { return number(d); }
    bool on_bool(bool, json::error_code&) { return scalar(); }
    bool on_null(json::error_code&) { return scalar(); }
    bool on_comment_part(json::string_view, json::error_code&) { return stop(); }
    bool on_comment(json::string_view, json::error_code&) { return stop(); }

  private:
    bool stop() {
        give_up = true;
        return false;
    }
    bool open() {
        if (at(Fields::ts) || at_vital() || depth_ == max_depth) return stop();
        if (depth_ == 0) is_object = true;
        object_no_[static_cast<std::size_t>(depth_)] = ++objects_;  // arrays too: no keys
        ++depth_;
        return true;
    }
    bool close() {
        if (--depth_ == 1) current_ = Fields::other;
        return true;
    }
    // Notes the key just read in its object; false if it may have been there already.
    bool remember_key() {
        const auto object = object_no_[static_cast<std::size_t>(depth_ - 1)];
        const auto h = (key_hash_ ^ object) * fnv_prime;
        if (keys_ == key_hashes_.size()) return false;
        for (std::size_t i = 0; i < keys_; ++i)
            if (key_hashes_[i] == h) return false;
        key_hashes_[keys_++] = h;
        return true;
    }
    bool key_part(json::string_view s) {
        for (char c : s)
            key_hash_ = (key_hash_ ^ static_cast<unsigned char>(c)) * fnv_prime;
        if (depth_ != 1) return true;
        if (key_size_ + s.size() > key_.size()) {
            key_size_ = key_.size() + 1;  // longer than any name looked for
            return true;
        }
        std::memcpy(key_.data() + key_size_, s.data(), s.size());
        key_size_ += s.size();
        return true;
    }
    bool text_part(json::string_view s) {
        if (!at(Fields::ts)) return true;
        if (fields.ts_size + s.size() > fields.ts_text.size()) return stop();
        std::memcpy(fields.ts_text.data() + fields.ts_size, s.data(), s.size());
        fields.ts_size += s.size();
        return true;
    }
    int lookup() const {
        if (key_size_ > key_.size()) return Fields::other;
        const std::string_view k(key_.data(), key_size_);
        if (k == "ts") return Fields::ts;
        if (k == "seq") return Fields::seq;
        const auto s = alerts::parse_signal(k);
        return s ? Fields::first_signal + static_cast<int>(alerts::index_of(*s)) : Fields::other;
    }
    bool at(int k) const { return depth_ == 1 && current_ == k; }
    bool at_vital() const { return depth_ == 1 && current_ >= Fields::first_signal; }
    bool number(double v) {
        if (depth_ != 1 || current_ == Fields::other) return true;
        fields.number[static_cast<std::size_t>(current_)] = v;
        fields.present |= static_cast<std::uint16_t>(1U << current_);
        return true;
    }
    bool scalar() { return at(Fields::ts) || at_vital() ? stop() : true; }

    static constexpr std::uint32_t fnv_basis = 2166136261U;
    static constexpr std::uint32_t fnv_prime = 16777619U;
    static constexpr int max_depth = 8;

    int depth_{0};
    int current_{Fields::other};  // the key whose value comes next (at depth 1)
    std::array<char, 8> key_{};
    std::size_t key_size_{0};
    std::uint32_t key_hash_{fnv_basis};                 // FNV-1a of the key read so far
    std::array<std::uint32_t, max_depth> object_no_{};  // which object is open at each depth
    std::uint32_t objects_{0};
    std::array<std::uint32_t, 16> key_hashes_{};  // every key so far, hashed with its object
    std::size_t keys_{0};
};

}  // namespace chairwatch::drivers::scan
