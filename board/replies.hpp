// The board's answers and the request helpers its route files share (board_routes.cpp and
// history_routes.cpp): JSON replies and refusals, redirects, form fields and the reader check.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "board/assets.hpp"
#include "board/auth.hpp"
#include "board/http_server.hpp"

namespace chairwatch::board {

Response make(unsigned status, std::string_view type, std::string body);
Reply json(unsigned status, std::string body);
// {"ok":false,"error":"..."} (and the alert id when there is one), for every refusal.
Reply error(unsigned status, std::string_view message, std::string_view alert_id = {});
Reply not_allowed(std::string_view allow);
Reply redirect(std::string_view to);
// %XX escapes (and, in form bodies, '+' for a space) decoded; a stray '%' stays as it is.
std::string percent_decoded(std::string_view v, bool plus_is_space);
// One field of an application/x-www-form-urlencoded body (or a query string), decoded.
std::string form_field(std::string_view body, std::string_view name);
// An embedded file, with its ETag (304 when the browser has it).
Reply asset_reply(const Request& req, const Asset& a);
// A request from the board's own pages (Sec-Fetch-Site and Origin, when the browser sends them).
bool same_origin(const Request& req);
// After a login: to the page, with the login session's cookie for `lifetime`.
Reply logged_in(const std::string& id, alerts::Millis lifetime);
// POST /logout: the caller's login ended and its cookie cleared (a cross-site request refused).
Reply log_out(Auth& auth, const Request& req);
// The refusal for a caller who may not read the board; nullopt if they may.
std::optional<Reply> refuse_reader(const Caller& who);

}  // namespace chairwatch::board
