// The group board's HTTP routes (docs/board.md, "Group board"): read-only. The page, its
// script and style, /api/group (the GroupModel's JSON), /healthz, and the station token's login;
// nothing that changes anything at a site: every other method is refused.
#pragma once

#include <string>

#include "board/auth.hpp"
#include "board/group_model.hpp"
#include "board/http_server.hpp"

namespace chairwatch::board {

class GroupRoutes : public Handler {
  public:
    // `token` empty: no token login; `read_only_without_token`: anyone may read.
    GroupRoutes(const GroupModel& model, const std::string& token, bool read_only_without_token,
                std::string station_name);

    Reply handle(const Request& req, const std::string& client) override;
    void on_stream_open(const std::shared_ptr<HttpSession>&, const std::string&) override {}
    void on_response(unsigned) override {}

  private:
    Reply api(const Caller& who) const;
    Reply page(const Caller& who) const;
    Reply login_page(unsigned status, std::string_view message) const;
    Reply login(const Request& req, const std::string& client);
    Reply logout(const Request& req);

    const GroupModel& model_;
    Auth auth_;
    std::string station_name_;
};

}  // namespace chairwatch::board
