// Several arrays in one heap allocation, their lengths fixed when it is made. A chair's rule
// engine keeps four small arrays of state (rules, tiers, counts, feeds): as four vectors they
// cost four allocations and 96 bytes of vector for every chair, and lie apart in memory.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

namespace chairwatch::alerts {

template <typename... Ts>
class PackedArrays {
    static constexpr std::size_t count = sizeof...(Ts);
    static constexpr std::size_t align = std::max({alignof(Ts)...});
    static_assert(((sizeof(Ts) % align == 0) && ...), "each array must leave the next aligned");
    static_assert(align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

    template <std::size_t I>
    using T = std::tuple_element_t<I, std::tuple<Ts...>>;

  public:
    using Sizes = std::array<std::uint32_t, count>;

    PackedArrays() = default;
    // Every element value-initialized.
    explicit PackedArrays(const Sizes& sizes) : size_(sizes) {
        // (Here rather than at class scope, where a nested element type is not complete yet.)
        static_assert((std::is_nothrow_default_constructible_v<Ts> && ...));
        static_assert((std::is_nothrow_destructible_v<Ts> && ...));
        const std::size_t bytes = offset<count>();
        if (bytes == 0) return;
        mem_ = static_cast<std::byte*>(::operator new(bytes));
        for_each_array(
            [&]<std::size_t I>() { std::uninitialized_value_construct_n(ptr<I>(), size_[I]); });
    }
    ~PackedArrays() { destroy(); }
    PackedArrays(PackedArrays&& o) noexcept
        : mem_(std::exchange(o.mem_, nullptr)), size_(std::exchange(o.size_, Sizes{})) {}
    PackedArrays& operator=(PackedArrays&& o) noexcept {
        if (this != &o) {
            destroy();
            mem_ = std::exchange(o.mem_, nullptr);
            size_ = std::exchange(o.size_, Sizes{});
        }
        return *this;
    }
    PackedArrays(const PackedArrays&) = delete;
    PackedArrays& operator=(const PackedArrays&) = delete;

    template <std::size_t I>
    std::span<T<I>> get() {
        return {ptr<I>(), size_[I]};
    }
    template <std::size_t I>
    std::span<const T<I>> get() const {
        return {ptr<I>(), size_[I]};
    }

  private:
    // Where array I starts: the bytes of the arrays before it.
    template <std::size_t I>
    std::size_t offset() const {
        return [&]<std::size_t... J>(std::index_sequence<J...>) {
            return (std::size_t{0} + ... + (sizeof(T<J>) * size_[J]));
        }
        (std::make_index_sequence<I>{});
    }
    template <std::size_t I>
    T<I>* ptr() const {
        return mem_ ? std::launder(reinterpret_cast<T<I>*>(mem_ + offset<I>())) : nullptr;
    }
    template <typename F>
    void for_each_array(F&& f) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (f.template operator()<I>(), ...);
        }
        (std::make_index_sequence<count>{});
    }
    void destroy() noexcept {
        if (!mem_) return;
        for_each_array([&]<std::size_t I>() { std::destroy_n(ptr<I>(), size_[I]); });
        ::operator delete(mem_);
        mem_ = nullptr;
        size_ = Sizes{};
    }

    std::byte* mem_{nullptr};
    Sizes size_{};
};

}  // namespace chairwatch::alerts
