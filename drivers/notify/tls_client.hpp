// The TLS client side shared by the webhook and the ACM transports: a context that verifies the
// peer (system trust store or one CA file) and SNI.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <stdexcept>
#include <string>

namespace chairwatch::drivers::notify {

// Throws std::invalid_argument if the CA file cannot be read.
inline boost::asio::ssl::context make_client_context(bool verify, const std::string& ca_file,
                                                     const std::string& who) {
    namespace ssl = boost::asio::ssl;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.set_verify_mode(verify ? ssl::verify_peer : ssl::verify_none);
    boost::system::error_code ec;
    if (!ca_file.empty())
        ctx.load_verify_file(ca_file, ec);
    else
        ctx.set_default_verify_paths(ec);
    if (ec) throw std::invalid_argument(who + " CA file '" + ca_file + "': " + ec.message());
    return ctx;
}

// Server Name Indication (the macro SSL_set_tlsext_host_name, without its C cast); none for an
// IP address, as RFC 6066 wants.
inline bool set_sni(SSL* ssl, const std::string& host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (!ec) return true;
    return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                    const_cast<char*>(host.c_str())) == 1;
}

}  // namespace chairwatch::drivers::notify
