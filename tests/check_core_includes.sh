#!/usr/bin/env bash
# The core is sans-I/O (STYLE.md 1): no sockets, clocks, threads, sleeps, OS randomness,
# files or Emscripten/Asio headers under src/. Fails listing any offending include or call.
set -u
src=${1:?usage: check_core_includes.sh SRC_DIR}
banned_headers='<(chrono|thread|mutex|condition_variable|future|random|fstream|filesystem|ctime|time\.h|sys/[a-z_]+\.h|unistd\.h|socket\.h|netinet/[a-z_]+\.h|arpa/[a-z_]+\.h|emscripten[^>]*|boost/[^>]*|asio[^>]*)>'
# Free calls only: "n.time()" (a protobuf getter) is not the C time() function.
free='(^|[^.>[:alnum:]_])'
banned_calls="(std::chrono|std::this_thread|nanosleep|gettimeofday|clock_gettime|random_device|${free}(sleep|usleep|time|clock|rand|srand|fopen|socket|getenv)\()" 
# grep prints "file:line:text"; comment lines (text starting with //) are not code.
bad=$( { grep -rnE "#include *$banned_headers" "$src"; grep -rnE "$banned_calls" "$src" --include='*.cc' --include='*.h'; } \
       | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
if [ -n "$bad" ]; then
  echo "core has I/O, clock, thread or OS-random use:"; echo "$bad"; exit 1
fi
echo "core include check: clean ($(find "$src" -name '*.h' -o -name '*.cc' | wc -l) files)"
