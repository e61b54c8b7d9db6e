#include "accounts/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chairwatch::accounts {

namespace {

void init_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

}  // namespace

std::optional<std::string> weak_password(std::string_view password) {
    if (password.empty()) return "the password is empty";
    if (password.size() < min_password_chars)
        return "the password must have at least " + std::to_string(min_password_chars) +
               " characters";
    if (password.size() > max_password_chars)
        return "the password must have at most " + std::to_string(max_password_chars) +
               " characters";
    for (char c : password)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return "the password must not contain control characters";
    return std::nullopt;
}

std::string hash_password(std::string_view password) {
    init_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("cannot hash the password (out of memory)");
    return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
    init_sodium();
    if (!looks_like_hash(hash)) return false;
    const std::string h(hash);  // NUL-terminated for libsodium
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool looks_like_hash(std::string_view hash) {
    return hash.starts_with("$argon2id$") && hash.size() < crypto_pwhash_STRBYTES &&
           hash.find_first_of(" \t:\r\n") == std::string_view::npos;
}

}  // namespace chairwatch::accounts
