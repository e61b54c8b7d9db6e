// Whether this build runs under the sanitizers (CHAIRWATCH_SANITIZE). Two kinds of test skip
// themselves there, and only there (the normal build runs them):
// - load tests with time bounds (a flood at full speed): ASan and UBSan make the daemon 2-3x
//   slower, so the bounds would measure the sanitizers;
// - tests that take every file descriptor from the daemon: the sanitizer runtime needs one for
//   its own checks (UBSan's vptr check opens a pipe to test memory), and reports a false error.
#pragma once

namespace chairwatch::test {
#ifdef CHAIRWATCH_SANITIZED
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
}  // namespace chairwatch::test
