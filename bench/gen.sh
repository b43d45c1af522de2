#!/usr/bin/env bash
# Benchmark of `wangge gen` (issue: Liaocheng scale in minutes) against the raw engine.
#
# 1. `wangge gen --grids N` into a fresh SQLite folder: the whole pipeline (synthetic people,
#    GB 11643 numbers, SM4-GCM encryption and HMAC-SM3 index of every ID number and phone,
#    inserts into all tables with their indexes).
# 2. The raw engine in the same run: the sqlite3 shell `.import`s the same person rows (as
#    CSV, dumped from step 1 and not timed) into an equivalent bare table, then builds the
#    same indexes over it (the fastest way raw SQLite has to get there).
#
# Usage: bench/gen.sh [GRIDS]   (release binary at target/release/wangge or $WANGGE_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
GRIDS=${1:-8930}
BIN=${WANGGE_BIN:-${CARGO_TARGET_DIR:-target}/release/wangge}
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

start=$(date +%s.%N)
"$BIN" gen --data "$WORK/gen" --grids "$GRIDS" --seed 1 >"$WORK/gen.log" 2>&1
gen_s=$(echo "$(date +%s.%N) - $start" | bc)
persons=$(sqlite3 "$WORK/gen/wangge.sqlite" "select count(*) from person")
rows=$(sqlite3 "$WORK/gen/wangge.sqlite" "select (select count(*) from person)+(select count(*) from household)+(select count(*) from building)+(select count(*) from person_tag)+(select count(*) from grid_staff)+(select count(*) from grid)")
size=$(du -sh "$WORK/gen" | cut -f1)

sqlite3 "$WORK/gen/wangge.sqlite" -csv "select county,id,household_id,grid_code,name,hex(id_cipher),hex(id_index),id_masked,hex(phone_cipher),hex(phone_index),phone_masked,sex,birth_date,relation,residence,updated_at from person" >"$WORK/person.csv"
# The raw engine at its best: load the bare table, then build the same indexes over it.
table=$(sqlite3 "$WORK/gen/wangge.sqlite" ".schema person" | grep 'CREATE TABLE' | sed 's/CREATE TABLE IF NOT EXISTS "person"/CREATE TABLE person/')
indexes=$(sqlite3 "$WORK/gen/wangge.sqlite" ".schema person" | grep 'CREATE INDEX')
start=$(date +%s.%N)
sqlite3 "$WORK/raw.sqlite" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA cache_size=-262144;
$table
.mode csv
.import $WORK/person.csv person
$indexes
SQL
raw_s=$(echo "$(date +%s.%N) - $start" | bc)

ours=$(echo "$persons / $gen_s" | bc)
raw=$(echo "$persons / $raw_s" | bc)
ratio=$(echo "scale=2; $ours / $raw" | bc)
printf 'grids %s  persons %s  rows (all tables) %s  database %s\n' "$GRIDS" "$persons" "$rows" "$size"
printf 'wangge gen (whole pipeline)        %8.1f s  %9s persons/s\n' "$gen_s" "$ours"
printf 'sqlite3 .import of the person rows %8.1f s  %9s persons/s\n' "$raw_s" "$raw"
printf 'ratio wangge/raw (persons/s)       %8s\n' "$ratio"
