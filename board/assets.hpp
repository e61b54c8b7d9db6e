// The board's static files, embedded in the binary at build time from board/assets/ (see
// embed_assets.cmake): the board works offline and needs nothing beside chairwatchd.
#pragma once

#include <span>
#include <string_view>

namespace chairwatch::board {

struct Asset {
    std::string_view name;  // file name in board/assets/, e.g. "app.js"
    std::string_view content_type;
    std::string_view body;
    std::string_view etag;  // quoted, from the file's SHA-256
};

const Asset* find_asset(std::string_view name);
std::span<const Asset> all_assets();

}  // namespace chairwatch::board
