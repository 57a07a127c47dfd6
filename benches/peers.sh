#!/usr/bin/env bash
# Side-by-side build benchmark: studybook against Hugo, Hugo + Pagefind, and mdBook on the same
# generated Chinese corpus, in one run, on this machine. Installs the peers when missing
# (Hugo from Debian, Pagefind from npm, mdBook with cargo install).
#
#   bash benches/peers.sh [PAGES...]        default: 1000 10000
#
# Prints, per corpus size and tool: wall time, CPU time (user+sys), peak memory (from
# /usr/bin/time -v), output size; then the ratios against studybook. Work files go to
# ${BENCH_DIR:-/tmp/studybook-bench}. MDBOOK_MAX_PAGES=N skips mdBook above N pages (it takes
# minutes at 10,000).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)
WORK=${BENCH_DIR:-/tmp/studybook-bench}
mkdir -p "$WORK"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

need_apt() { dpkg -s "$1" >/dev/null 2>&1 || { $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$1" >/dev/null; }; }
need_apt time
command -v hugo >/dev/null || need_apt hugo
if [ ! -x "$WORK/node_modules/.bin/pagefind" ]; then
  (cd "$WORK" && npm install --silent --no-audit --no-fund pagefind@1 >/dev/null)
fi
PAGEFIND="$WORK/node_modules/.bin/pagefind"
command -v mdbook >/dev/null || cargo install --locked --quiet mdbook
cargo build --release --quiet --example gen_corpus
cargo build --release --quiet
STUDYBOOK="$PWD/target/release/studybook"

# measure NAME DIR COMMAND...: runs COMMAND in DIR under /usr/bin/time -v, appends a result row.
measure() {
  local name=$1 dir=$2; shift 2
  local log="$WORK/time-$name.log"
  (cd "$dir" && /usr/bin/time -v "$@" >/dev/null 2>"$log") || { echo "$name failed, see $log"; tail -5 "$log"; return 1; }
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user=$(awk -F': ' '/User time/ {print $2}' "$log")
  sys=$(awk -F': ' '/System time/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  printf '%s\t%s\t%.2f\t%.2f\t%d\n' "$PAGES" "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" >> "$WORK/results.tsv"
}

: > "$WORK/results.tsv"
for PAGES in "${SIZES[@]}"; do
  SITE="$WORK/site-$PAGES"
  ./target/release/examples/gen_corpus --pages "$PAGES" --out "$SITE" 2>&1 | tail -1
  MD_BYTES=$(du -sb "$SITE/content" | cut -f1)

  # Hugo: the same Markdown; front matter keys Hugo does not know are kept as params.
  HUGO="$WORK/hugo-$PAGES"; rm -rf "$HUGO"; mkdir -p "$HUGO"
  cp -r "$SITE/content" "$HUGO/content"
  find "$HUGO/content" -name _index.md -path '*/content/_index.md' -delete
  printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS"]\n[markup.goldmark.renderer]\nunsafe = true\n' > "$HUGO/hugo.toml"
  mkdir -p "$HUGO/layouts/_default"
  printf '<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n' > "$HUGO/layouts/_default/baseof.html"
  printf '{{ define "main" }}<main><h1>{{ .Title }}</h1>{{ .Content }}</main>{{ end }}\n' > "$HUGO/layouts/_default/single.html"
  printf '{{ define "main" }}<main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main>{{ end }}\n' > "$HUGO/layouts/_default/list.html"

  # mdBook: the pages flat under src/, listed in SUMMARY.md.
  MDBOOK="$WORK/mdbook-$PAGES"; rm -rf "$MDBOOK"; mkdir -p "$MDBOOK/src"
  printf '[book]\ntitle = "bench"\nlanguage = "zh"\n' > "$MDBOOK/book.toml"
  echo "# Summary" > "$MDBOOK/src/SUMMARY.md"
  find "$SITE/content" -name '*.md' ! -name '_index.md' | sort | while read -r f; do
    rel=${f#"$SITE/content/"}; flat=${rel//\//-}
    awk 'BEGIN{fm=0} /^---$/ {fm++; next} fm>=2' "$f" > "$MDBOOK/src/$flat"
    echo "- [$flat]($flat)" >> "$MDBOOK/src/SUMMARY.md"
  done

  rm -rf "$SITE/public" "$HUGO/public" "$MDBOOK/book"
  measure studybook "$SITE" "$STUDYBOOK" build
  measure hugo "$HUGO" hugo --quiet
  measure pagefind "$HUGO" "$PAGEFIND" --site public --silent
  if [ "$PAGES" -le "${MDBOOK_MAX_PAGES:-$PAGES}" ]; then
    measure mdbook "$MDBOOK" mdbook build
  fi
  STUDY_OUT=$(du -sb "$SITE/public" | cut -f1)
  PACK=$(du -sb "$SITE/public/search/pack" | cut -f1)
  PACK_FILES=$(find "$SITE/public/search/pack" -type f | wc -l)
  PF_OUT=$(du -sb "$HUGO/public/pagefind" | cut -f1)
  echo "pages=$PAGES markdown=$((MD_BYTES/1024)) KiB studybook_output=$((STUDY_OUT/1024)) KiB pack=$((PACK/1024)) KiB ($((100*PACK/MD_BYTES))% of Markdown, $PACK_FILES files) pagefind_bundle=$((PF_OUT/1024)) KiB ($((100*PF_OUT/MD_BYTES))%)" | tee -a "$WORK/sizes.txt"
done

echo
printf 'pages\ttool\twall_s\tcpu_s\tpeak_MiB\n'
cat "$WORK/results.tsv"
echo
echo "ratios (tool / studybook, wall time):"
awk -F'\t' '{ w[$1" "$2]=$3 } $2=="studybook" { s[$1]=$3 } END { for (k in w) { split(k, a, " "); if (a[2] != "studybook") printf "  %s pages: %s %.2fx\n", a[1], a[2], w[k]/s[a[1]] } }' "$WORK/results.tsv" | sort
