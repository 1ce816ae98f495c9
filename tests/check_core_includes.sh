#!/usr/bin/env bash
# The core is sans-I/O (STYLE.md 1): no sockets, clocks, threads, sleeps, OS randomness,
# files, Emscripten/Asio headers or protobuf under src/. Fails listing any offending include
# or call.
set -u
src=${1:?usage: check_core_includes.sh SRC_DIR}
banned_headers='<(chrono|thread|mutex|condition_variable|future|random|fstream|filesystem|ctime|time\.h|sys/[a-z_]+\.h|unistd\.h|socket\.h|netinet/[a-z_]+\.h|arpa/[a-z_]+\.h|emscripten[^>]*|boost/[^>]*|asio[^>]*)>'
# Free calls only: "n.time()" (a getter) is not the C time() function.
free='(^|[^.>[:alnum:]_])'
banned_calls="(std::chrono|std::this_thread|nanosleep|gettimeofday|clock_gettime|random_device|${free}(sleep|usleep|time|clock|rand|srand|fopen|socket|getenv)\()" 
# No protobuf either: the WASM build has none; payloads go through the schema codec.
banned_protobuf='#include *["<](google/protobuf/[^">]*|[a-z_]+\.pb\.h)[">]|(^|[^[:alnum:]_])pb::'
# grep prints "file:line:text"; comment lines (text starting with //) are not code.
bad=$( { grep -rnE "#include *$banned_headers" "$src"; grep -rnE "$banned_calls" "$src" --include='*.cc' --include='*.h';
         grep -rnE "$banned_protobuf" "$src" --include='*.cc' --include='*.h'; } \
       | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
if [ -n "$bad" ]; then
  echo "core has I/O, clock, thread, OS-random or protobuf use:"; echo "$bad"; exit 1
fi
echo "core include check: clean ($(find "$src" -name '*.h' -o -name '*.cc' | wc -l) files)"
