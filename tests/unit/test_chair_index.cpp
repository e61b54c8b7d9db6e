#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/chair_index.hpp"

namespace {

using chairwatch::alerts::ChairIndex;
using chairwatch::alerts::hash_chair_id;

struct Ids {
    std::vector<std::string> ids;
    std::uint32_t add(ChairIndex& index, std::string id) {
        const auto at = static_cast<std::uint32_t>(ids.size());
        ids.push_back(std::move(id));
        index.insert(ids.back(), at);
        return at;
    }
    std::uint32_t find(const ChairIndex& index, std::string_view id) const {
        return index.find(id, [this](std::uint32_t i) -> std::string_view { return ids.at(i); });
    }
};

}  // namespace

TEST_CASE("chair index: an empty index knows no chair") {
    ChairIndex index;
    Ids ids;
    CHECK(ids.find(index, "chair-1") == ChairIndex::none);
    CHECK(ids.find(index, "") == ChairIndex::none);
    CHECK(index.size() == 0);
}

TEST_CASE("chair index: thousands of chairs each found at their own place, strangers not") {
    ChairIndex index;
    Ids ids;
    for (int i = 0; i < 5000; ++i) {
        const auto at = ids.add(index, (i % 3 ? "chair-" : "room-12/bay-") + std::to_string(i));
        CHECK(index.size() == at + 1);
        CHECK(index.capacity() >= 2 * index.size());  // never more than half full
        CHECK(index.capacity() <= 4 * index.size() + 16);
    }
    for (std::uint32_t i = 0; i < ids.ids.size(); ++i)
        CHECK(ids.find(index, ids.ids[i]) == i);
    for (int i = 5000; i < 6000; ++i)
        CHECK(ids.find(index, "chair-" + std::to_string(i)) == ChairIndex::none);
    CHECK(ids.find(index, "chair-") == ChairIndex::none);
    CHECK(ids.find(index, "chair-10 ") == ChairIndex::none);
}

TEST_CASE("chair index: ids whose stored hashes are equal are told apart by the ids") {
    // Two ids with the same low 32 bits of hash: found by brute force (the birthday bound makes
    // one likely within 2^17 tries).
    std::unordered_map<std::uint32_t, std::string> seen;
    std::string a, b;
    for (int i = 0; a.empty(); ++i) {
        REQUIRE(i < 2'000'000);
        std::string id = "c" + std::to_string(i);
        auto [it, fresh] = seen.emplace(static_cast<std::uint32_t>(hash_chair_id(id)), id);
        if (!fresh) {
            a = it->second;
            b = id;
        }
    }
    REQUIRE(hash_chair_id(a) != hash_chair_id(b));  // the full hashes differ, the stored ones not
    ChairIndex index;
    Ids ids;
    ids.add(index, a);
    CHECK(ids.find(index, a) == 0);
    CHECK(ids.find(index, b) == ChairIndex::none);
    ids.add(index, b);
    CHECK(ids.find(index, a) == 0);
    CHECK(ids.find(index, b) == 1);
}

TEST_CASE("chair index: the hash sees every byte, the length and the order") {
    CHECK(hash_chair_id("a") != hash_chair_id("b"));
    CHECK(hash_chair_id("ab") != hash_chair_id("ba"));
    CHECK(hash_chair_id("chair-01") != hash_chair_id("chair-01x"));
    CHECK(hash_chair_id(std::string_view("a\0", 2)) != hash_chair_id("a"));
    CHECK(hash_chair_id("0123456789abcdefX") != hash_chair_id("0123456789abcdefY"));
    CHECK(hash_chair_id("X0123456789abcdef") != hash_chair_id("Y0123456789abcdef"));
}

TEST_CASE("chair index: chairs removed from a dense array, as the Clinic forgets them") {
    // The Clinic's way: the last chair moves into the forgotten one's place.
    ChairIndex index;
    std::vector<std::string> dense;
    std::unordered_map<std::string, bool> present;
    const auto find = [&](std::string_view id) {
        return index.find(id, [&](std::uint32_t i) -> std::string_view { return dense.at(i); });
    };
    std::uint64_t state = 7;
    const auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    for (int step = 0; step < 20000; ++step) {
        const auto id = "c" + std::to_string(next() % 400);  // small: many collisions and reuse
        const auto at = find(id);
        if (at == ChairIndex::none) {
            REQUIRE_FALSE(present[id]);
            dense.push_back(id);
            index.insert(id, static_cast<std::uint32_t>(dense.size() - 1));
            present[id] = true;
        } else if (next() % 2) {
            REQUIRE(dense.at(at) == id);
            const auto last = static_cast<std::uint32_t>(dense.size() - 1);
            index.erase(id, at);
            if (at != last) {
                index.move(dense[last], last, at);
                dense[at] = dense[last];
            }
            dense.pop_back();
            present[id] = false;
        }
        if (step % 997 == 0) {  // everything present is found where it is, nothing else
            CHECK(index.size() == dense.size());
            for (std::uint32_t i = 0; i < dense.size(); ++i)
                CHECK(find(dense[i]) == i);
            for (const auto& [k, p] : present)
                if (!p) CHECK(find(k) == ChairIndex::none);
        }
    }
}
