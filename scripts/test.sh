#!/usr/bin/env bash
# Installs what the tests need, restores, builds everything (C# and the C shims) and runs every test.
# The accelerator libraries (QPL, qatlib + QATzip) are built from ../shared/deps unless installed, into a cache that
# later runs reuse (scripts/build-accel-deps.sh); the QPL and QAT tests then run on QPL's software path and QATzip's
# software failover and may not skip (EROFS_ACCEL_REQUIRE_SHIMS=1). Only tests that need a real device skip.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
./scripts/install-deps.sh --test
echo "== accelerator libraries (built from source unless installed; cached)"
started=$SECONDS
deps_status=0
deps_prefix="$(./scripts/build-accel-deps.sh)" || deps_status=$?
if [ "$deps_status" -eq 0 ]; then
  export EROFS_ACCEL_REQUIRE_SHIMS=1
  echo "   ready in $((SECONDS - started)) s: ${deps_prefix:-installed on the system}"
elif [ "$deps_status" -eq 3 ] && [ "${CI:-}" != "true" ]; then
  echo "   no accelerator sources here: the QPL and QAT tests will skip (CI requires them)" >&2
else
  echo "test.sh: the accelerator libraries could not be built (see above)" >&2
  exit 1
fi
echo "== native shims"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${deps_prefix:-}" ${EROFS_ACCEL_CMAKE_ARGS:-} \
  | grep "erofs-accel native" || true
cmake --build build/native -j2
echo "== restore and build"
dotnet restore Erofs.Accel.sln --nologo -v quiet
dotnet build Erofs.Accel.sln -c Release --no-restore --nologo -v quiet "-clp:ErrorsOnly;NoSummary"
echo "== packages (every packable project, and a consumer app built against the .nupkg files)"
./scripts/pack.sh --no-build --check
echo "== tests"
# normal verbosity prints every skipped test with its reason (root, OpenCL absent, a real QAT/IAA device), and here
# every passed QPL/QAT test too, so the log shows they ran
dotnet test Erofs.Accel.sln -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 \
  | grep -vP "^\s+Passed (?!.*(Qpl|Qat|Accelerat))|^\s*$"
