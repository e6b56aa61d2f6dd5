#!/usr/bin/env bash
# suptree_elixir_new.sh: every case of suptree_elixir.sh on the newer Elixir (1.18.4: new_elixir_home
# in lib.sh; unpacked into the build folder from the tarball). Skipped, saying so, when
# there is none.
# ctest-timeout: 300
. "$BV_SRC/test/e2e/lib.sh"

[ -n "$(new_elixir_home)" ] ||
  skip "no newer Elixir: set BV_ELIXIR_HOME, or BV_ELIXIR_TARBALL to elixir-1.18.4-otp25.tar.gz"
export BV_ELIXIR_KIND=elixir-new
. "$BV_SRC/test/e2e/suptree_elixir.sh"
