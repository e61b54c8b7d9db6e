// From a chair id to the chair's place in a dense array: open addressing, linear probing, one
// 8-byte slot per entry and no node per chair. A lookup of a known chair reads one slot and then
// the chair's own id, which sits beside the state the reading goes on to touch; with 10,000
// chairs a node-based map spent about 40% of the core's time on the misses of its bucket and
// node. A removed chair's slot is refilled by shifting the rest of its probe run back, so a
// lookup never meets a tombstone.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace chairwatch::alerts {

// A chair id mixed eight bytes at a time with splitmix64's constants: ids are short, and this is
// several times cheaper per reading than std::hash's MurmurHash.
inline std::uint64_t hash_chair_id(std::string_view s) {
    constexpr std::uint64_t k = 0xbf58476d1ce4e5b9ULL;
    const auto mix = [](std::uint64_t h, std::uint64_t w) {
        h = (h ^ w) * k;
        return h ^ (h >> 31);
    };
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = mix(h, w);
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        for (std::size_t j = i; j < s.size(); ++j)
            w = (w << 8) | static_cast<unsigned char>(s[j]);
        h = mix(h, w);
    }
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
}

class ChairIndex {
  public:
    static constexpr std::uint32_t none = UINT32_MAX;

    // The index recorded for `id`, or none. `id_at(i)` returns the id recorded with index i.
    template <class IdAt>
    std::uint32_t find(std::string_view id, IdAt&& id_at) const {
        if (slots_.empty()) return none;
        const auto h = static_cast<std::uint32_t>(hash_chair_id(id));
        for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
            const Slot& s = slots_[at];
            if (s.index == none) return none;
            if (s.hash == h && id_at(s.index) == id) return s.index;
        }
    }

    // Records `index` for `id`, which must not be recorded yet.
    void insert(std::string_view id, std::uint32_t index) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        place({static_cast<std::uint32_t>(hash_chair_id(id)), index});
        ++size_;
    }

    // Forgets `id`, recorded with `index`.
    void erase(std::string_view id, std::uint32_t index) {
        std::size_t hole = slot_of(id, index);
        slots_[hole] = {};
        --size_;
        // Each later entry of the run moves into the hole unless that would put it before the
        // slot it hashes to.
        for (std::size_t at = (hole + 1) & mask_; slots_[at].index != none; at = (at + 1) & mask_) {
            const std::size_t home = slots_[at].hash & mask_;
            const bool stays =
                hole <= at ? (home > hole && home <= at) : (home > hole || home <= at);
            if (stays) continue;
            slots_[hole] = slots_[at];
            slots_[at] = {};
            hole = at;
        }
    }

    // `id`, recorded with `from`, is now at `to` (the dense array moved it).
    void move(std::string_view id, std::uint32_t from, std::uint32_t to) {
        slots_[slot_of(id, from)].index = to;
    }

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }

  private:
    struct Slot {
        std::uint32_t hash{0};  // the low half of the id's hash: where it belongs, and a quick
                                // "not this one" before the ids are compared
        std::uint32_t index{none};
    };

    // The slot holding `index`, on the probe run of `id` (which must be recorded).
    std::size_t slot_of(std::string_view id, std::uint32_t index) const {
        std::size_t at = static_cast<std::uint32_t>(hash_chair_id(id)) & mask_;
        while (slots_[at].index != index)
            at = (at + 1) & mask_;
        return at;
    }

    void place(Slot slot) {
        std::size_t at = slot.hash & mask_;
        while (slots_[at].index != none)
            at = (at + 1) & mask_;
        slots_[at] = slot;
    }

    // Never more than half full: an absent id's probe ends within a few slots.
    void grow() {
        std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const Slot& s : old)
            if (s.index != none) place(s);
    }

    std::vector<Slot> slots_;
    std::size_t mask_{0};
    std::size_t size_{0};
};

}  // namespace chairwatch::alerts
