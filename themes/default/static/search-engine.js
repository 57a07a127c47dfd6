/* studybook static search engine: searches the pack under search/pack/ with no server, from any
 * static host and from file://. It ports the server's query semantics exactly (parse, normalise,
 * grams, vocabulary segmentation, BM25 with tantivy's numbers, verbatim tier, facets, snippets),
 * so both give the same pages in the same order. Plain ES2017, no modules: Chromium 80+,
 * Firefox ESR 78+. Data files are scripts that call window.__studybookPack.add(name, data). */
(function () {
  'use strict';

  var K1 = Math.fround(1.2);
  var B = Math.fround(0.75);
  var LEAD = 12;
  var CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{2FA1F}\u{30000}-\u{3347F}]/u;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var WHITE = /\p{White_Space}/u;
  var CONTROL = /\p{Cc}/u;
  /* The kinds by their number in the docs column (src/search/pack/documents.rs). */
  var KINDS = ['note', 'session', 'section'];

  /* ---------- loading data files ---------- */

  var received = {};
  var pending = {};
  window.__studybookPack = {
    add: function (name, data, build) { received[name] = { data: data, build: build }; }
  };

  /* The error of a file from another build than meta.js: the site was rebuilt while the page
   * was open. */
  function staleError(name) {
    var error = new Error('search data file ' + name + ' is from another build');
    error.stale = true;
    return error;
  }

  /* The data files under `base`. `fresh`: read meta.js past any cache (after a rebuild). */
  function Pack(base, fresh) {
    this.base = base;
    this.fresh = fresh;
    this.version = '';
    this.cache = {};
    this.meta = null;
    this.bytesLoaded = 0;
  }

  Pack.prototype.load = function (name) {
    var self = this;
    if (self.cache[name]) { return self.cache[name]; }
    var promise = new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      // The build in the address: a browser keeps files by address (from file:// too), so
      // files of two builds never meet in its cache.
      var stamp = name === 'meta' ? self.fresh : self.version;
      script.src = self.base + name + '.js' + (stamp ? '?v=' + stamp : '');
      script.async = true;
      script.onload = function () {
        script.parentNode.removeChild(script);
        if (Object.prototype.hasOwnProperty.call(received, name)) {
          var file = received[name];
          delete received[name];
          if (name === 'meta' || file.build === self.version) { resolve(file.data); }
          else { reject(staleError(name)); }
        } else {
          reject(new Error('search data file ' + name + ' is damaged'));
        }
      };
      script.onerror = function () {
        script.parentNode.removeChild(script);
        reject(new Error('search data file ' + name + ' is missing'));
      };
      document.head.appendChild(script);
    });
    self.cache[name] = promise;
    promise.catch(function () { delete self.cache[name]; });
    return promise;
  };

  /* ---------- decoding: 16-bit text, raw inflate (RFC 1951), varints, text chunks ---------- */

  /* Binary carried 16 bits a UTF-16 code unit (src/search/pack/files.rs, `to_text`): a first
   * character '1' when the last byte is padding, '0' when not; then each code unit is a
   * big-endian pair of bytes, or, as a surrogate pair, an unsafe pair's value above U+FFFF. */
  function fromText(text) {
    var first = text.charCodeAt(0);
    if (first !== 48 && first !== 49) { throw new Error('search data is damaged'); }
    var out = new Uint8Array(text.length * 2);
    var length = 0;
    for (var i = 1; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code >= 0xD800 && code < 0xE000) {
        var low = text.charCodeAt(++i);
        if (code >= 0xDC00 || !(low >= 0xDC00 && low < 0xE000) || code > 0xD83F) { throw new Error('search data is damaged'); }
        code = ((code - 0xD800) << 10) | (low - 0xDC00);
      }
      out[length++] = code >> 8;
      out[length++] = code & 255;
    }
    if (first === 49) {
      if (length === 0) { throw new Error('search data is damaged'); }
      length--;
    }
    return out.subarray(0, length);
  }

  /* Text chunks are coded by character frequency (src/search/pack/alphabet.rs): a byte below
   * 128 is that character of the alphabet, 128..254 with the next byte one of the following
   * 32,512, 255 a code point in the next three bytes. */
  function decodeText(bytes, alphabet) {
    var parts = [];
    var i = 0;
    while (i < bytes.length) {
      var lead = bytes[i];
      var c;
      if (lead < 128) { c = alphabet[lead]; i += 1; }
      else if (lead < 255) { c = alphabet[128 + (lead - 128) * 256 + bytes[i + 1]]; i += 2; }
      else { c = String.fromCodePoint(bytes[i + 1] * 65536 + bytes[i + 2] * 256 + bytes[i + 3]); i += 4; }
      if (c === undefined) { throw new Error('search data is damaged'); }
      parts.push(c);
    }
    return parts.join('');
  }

  var LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  var LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  var DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  var CLORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function huffman(lengths, count) {
    var counts = new Uint16Array(16);
    var offsets = new Uint16Array(16);
    var symbols = new Uint16Array(count);
    var i;
    for (i = 0; i < count; i++) { counts[lengths[i]]++; }
    counts[0] = 0;
    for (i = 1; i < 16; i++) { offsets[i] = offsets[i - 1] + counts[i - 1]; }
    for (i = 0; i < count; i++) { if (lengths[i]) { symbols[offsets[lengths[i]]++] = i; } }
    return { counts: counts, symbols: symbols };
  }

  function inflate(input) {
    var out = new Uint8Array(Math.max(1024, input.length * 4));
    var length = 0;
    var pos = 0;
    var buffer = 0;
    var count = 0;
    function bits(n) {
      while (count < n) {
        if (pos >= input.length) { throw new Error('truncated data'); }
        buffer |= input[pos++] << count;
        count += 8;
      }
      var value = buffer & ((1 << n) - 1);
      buffer >>>= n;
      count -= n;
      return value;
    }
    function room(n) {
      if (length + n <= out.length) { return; }
      var bigger = new Uint8Array(Math.max(out.length * 2, length + n));
      bigger.set(out.subarray(0, length));
      out = bigger;
    }
    function decode(h) {
      var code = 0, first = 0, index = 0;
      for (var len = 1; len < 16; len++) {
        code |= bits(1);
        var n = h.counts[len];
        if (code - n < first) { return h.symbols[index + (code - first)]; }
        index += n;
        first = (first + n) << 1;
        code <<= 1;
      }
      throw new Error('bad code');
    }
    var fixedLit = null, fixedDist = null;
    var last = 0;
    while (!last) {
      last = bits(1);
      var type = bits(2);
      if (type === 0) {
        buffer = 0;
        count = 0;
        var len = input[pos] | (input[pos + 1] << 8);
        pos += 4;
        room(len);
        out.set(input.subarray(pos, pos + len), length);
        length += len;
        pos += len;
        continue;
      }
      var lit, dist, i;
      if (type === 1) {
        if (!fixedLit) {
          var l = new Uint8Array(288);
          for (i = 0; i < 144; i++) { l[i] = 8; }
          for (; i < 256; i++) { l[i] = 9; }
          for (; i < 280; i++) { l[i] = 7; }
          for (; i < 288; i++) { l[i] = 8; }
          fixedLit = huffman(l, 288);
          var d = new Uint8Array(30);
          for (i = 0; i < 30; i++) { d[i] = 5; }
          fixedDist = huffman(d, 30);
        }
        lit = fixedLit;
        dist = fixedDist;
      } else if (type === 2) {
        var nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
        var lengths = new Uint8Array(320);
        for (i = 0; i < ncode; i++) { lengths[CLORDER[i]] = bits(3); }
        var lencode = huffman(lengths, 19);
        lengths = new Uint8Array(320);
        i = 0;
        while (i < nlen + ndist) {
          var symbol = decode(lencode);
          if (symbol < 16) { lengths[i++] = symbol; continue; }
          var repeat = 0, value = 0;
          if (symbol === 16) { value = lengths[i - 1]; repeat = 3 + bits(2); }
          else if (symbol === 17) { repeat = 3 + bits(3); }
          else { repeat = 11 + bits(7); }
          while (repeat--) { lengths[i++] = value; }
        }
        lit = huffman(lengths, nlen);
        dist = huffman(lengths.subarray(nlen), ndist);
      } else {
        throw new Error('bad block type');
      }
      for (;;) {
        var sym = decode(lit);
        if (sym < 256) { room(1); out[length++] = sym; continue; }
        if (sym === 256) { break; }
        sym -= 257;
        var size = LBASE[sym] + bits(LEXT[sym]);
        var dsym = decode(dist);
        var back = DBASE[dsym] + bits(DEXT[dsym]);
        room(size);
        for (i = 0; i < size; i++) { out[length] = out[length - back]; length++; }
      }
    }
    return out.subarray(0, length);
  }

  function Reader(bytes) { this.bytes = bytes; this.pos = 0; }
  Reader.prototype.next = function () {
    var value = 0, scale = 1, byte;
    do {
      if (this.pos >= this.bytes.length) { throw new Error('search data is damaged'); }
      byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };

  var utf8 = new TextDecoder('utf-8');
  var encoder = new TextEncoder();

  function unpack(text) { return inflate(fromText(text)); }

  /* A character shard (c-): term -> its bytes, decoded when asked for. */
  function parseShard(text) {
    var reader = new Reader(unpack(text));
    var terms = Object.create(null);
    var n = reader.next();
    for (var i = 0; i < n; i++) {
      var tlen = reader.next();
      var term = utf8.decode(reader.bytes.subarray(reader.pos, reader.pos + tlen));
      reader.pos += tlen;
      var plen = reader.next();
      terms[term] = reader.bytes.subarray(reader.pos, reader.pos + plen);
      reader.pos += plen;
    }
    return terms;
  }

  function fnv1a(text) {
    var bytes = encoder.encode(text);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  /* ---------- text analysis: the same as src/search/analyzer.rs, segment.rs and dates.rs ---------- */

  function isCjk(c) { return CJK.test(c); }
  function isWordChar(c) { return ALNUM.test(c) && !isCjk(c); }

  function Analyzer(fold, stopWords) {
    this.fold = fold;
    this.stop = Object.create(null);
    for (var i = 0; i < stopWords.length; i++) { this.stop[stopWords[i]] = true; }
  }

  Analyzer.prototype.isStop = function (word) { return this.stop[word] === true; };

  Analyzer.prototype.normalize = function (text) {
    var out = '';
    for (var c of text) {
      var code = c.codePointAt(0);
      if (code < 128) { out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c; }
      else { out += this.fold[c] || c; }
    }
    return out;
  };

  function grams(normalized) {
    var chars = Array.from(normalized);
    var out = [];
    var i = 0;
    while (i < chars.length) {
      var c = chars[i];
      if (isCjk(c)) {
        if (i + 1 < chars.length && isCjk(chars[i + 1])) { out.push({ text: c + chars[i + 1], position: i }); }
        else { out.push({ text: c, position: i }); }
        i += 1;
      } else if (isWordChar(c)) {
        var start = i;
        while (i < chars.length && isWordChar(chars[i])) { i++; }
        out.push({ text: chars.slice(start, i).join(''), position: start });
      } else {
        i += 1;
      }
    }
    return out;
  }

  /* The port of query_grams: bigrams of CJK runs of two or more characters, a lone CJK
   * character as a prefix, Latin words whole. */
  function queryGrams(normalized) {
    var chars = Array.from(normalized);
    var out = [];
    var i = 0;
    while (i < chars.length) {
      var start = i;
      if (isCjk(chars[i])) {
        while (i < chars.length && isCjk(chars[i])) { i++; }
        if (i - start === 1) { out.push({ text: chars[start], position: start, prefix: true }); }
        for (var p = start; p + 1 < i; p++) { out.push({ text: chars[p] + chars[p + 1], position: p, prefix: false }); }
      } else if (isWordChar(chars[i])) {
        while (i < chars.length && isWordChar(chars[i])) { i++; }
        out.push({ text: chars.slice(start, i).join(''), position: start, prefix: false });
      } else {
        i++;
      }
    }
    return out;
  }

  function trimWhite(text) {
    var chars = Array.from(text);
    var start = 0, end = chars.length;
    while (start < end && WHITE.test(chars[start])) { start++; }
    while (end > start && WHITE.test(chars[end - 1])) { end--; }
    return chars.slice(start, end).join('');
  }

  /* A part, with its other spellings (Part::new in query.rs): matched as well unless quoted. */
  function newPart(text, exclude, exact) {
    var others = (exact ? [] : respelled(text)).map(function (other) {
      return { text: other, exclude: exclude, exact: exact, others: [] };
    });
    return { text: text, exclude: exclude, exact: exact, others: others };
  }

  Analyzer.prototype.parseQuery = function (query, maxChars) {
    var chars = Array.from(query).slice(0, maxChars).map(function (c) {
      if (c === '\u201C' || c === '\u201D' || c === '\uFF02') { return '"'; }
      if (c === '\uFF0D') { return '-'; }
      if (CONTROL.test(c) || c === '\u3000') { return ' '; }
      return c;
    });
    var parts = [];
    var i = 0;
    while (i < chars.length) {
      if (WHITE.test(chars[i])) { i++; continue; }
      var exclude = false;
      if (chars[i] === '-') { i++; exclude = true; }
      var exact = chars[i] === '"';
      var text = '';
      if (exact) {
        i++;
        while (i < chars.length) {
          var c = chars[i++];
          if (c === '"') { break; }
          text += c;
        }
      } else {
        while (i < chars.length && !WHITE.test(chars[i]) && chars[i] !== '"') { text += chars[i++]; }
      }
      var normalized = this.normalize(trimWhite(text));
      /* The port of leading_date's use in parse_query: a date run together with more is two parts. */
      var split = exact || exclude ? null : (leadingDate(normalized) || trailingDate(normalized));
      if (split) {
        parts.push(newPart(split[0], exclude, exact));
        parts.push(newPart(split[1], exclude, exact));
        continue;
      }
      if (grams(normalized).length > 0) { parts.push(newPart(normalized, exclude, exact)); }
    }
    return parts;
  };

  /* Candidate vocabulary look-ups of segmentQuery, to load their shards first. */
  Analyzer.prototype.candidateWords = function (text, maxWordChars) {
    var chars = Array.from(text);
    var out = [];
    var i = 0;
    while (i < chars.length) {
      var start = i;
      if (isCjk(chars[i])) {
        while (i < chars.length && isCjk(chars[i])) { i++; }
        for (var a = start; a < i; a++) {
          for (var len = 2; len <= maxWordChars && a + len <= i; len++) { out.push(chars.slice(a, a + len).join('')); }
        }
      } else if (isWordChar(chars[i])) {
        while (i < chars.length && isWordChar(chars[i])) { i++; }
        out.push(chars.slice(start, i).join(''));
      } else {
        i++;
      }
    }
    return out;
  };

  /* The port of cover_cjk_run: the segments of a CJK run, words of 2 to `longest` characters
   * or characters alone, leaving the fewest non-stop-word characters alone, then the fewest. */
  Analyzer.prototype.coverRun = function (run, longest, known) {
    var self = this;
    var best = new Array(run.length + 1);
    best[0] = [0, 0, 0, false];
    var relax = function (to, candidate) {
      var current = best[to];
      if (!current || candidate[0] < current[0] || (candidate[0] === current[0] && candidate[1] < current[1])) { best[to] = candidate; }
    };
    for (var p = 0; p < run.length; p++) {
      if (!best[p]) { continue; }
      var cost = self.isStop(run[p]) ? 0 : 1;
      relax(p + 1, [best[p][0] + cost, best[p][1] + 1, p, false]);
      for (var len = 2; len <= Math.min(longest, run.length - p); len++) {
        if (known(run.slice(p, p + len).join(''))) { relax(p + len, [best[p][0], best[p][1] + 1, p, true]); }
      }
    }
    var segments = [];
    var end = run.length;
    while (end > 0) {
      var step = best[end];
      segments.push({ text: run.slice(step[2], end).join(''), alone: !step[3] });
      end = step[2];
    }
    return segments.reverse();
  };

  /* Calls cjk(run) and word(text) for the runs of `text`, in order. */
  function eachRun(text, cjk, word) {
    var chars = Array.from(text);
    var i = 0;
    while (i < chars.length) {
      var start = i;
      if (isCjk(chars[i])) {
        while (i < chars.length && isCjk(chars[i])) { i++; }
        cjk(chars.slice(start, i));
      } else if (isWordChar(chars[i])) {
        while (i < chars.length && isWordChar(chars[i])) { i++; }
        word(chars.slice(start, i).join(''));
      } else {
        i++;
      }
    }
  }

  /* A decimal number (has_decimal in segment.rs): matched as typed only. */
  var DECIMAL = /[0-9]\.[0-9]/;

  /* The port of segment_query: the index's own words, or null (verbatim only). */
  Analyzer.prototype.segment = function (text, maxWordChars, known) {
    var self = this;
    var words = [];
    var failed = false;
    // A number run together with what it counts, or a decimal number, is matched as typed
    // (or, the first, by its pieces).
    if (DECIMAL.test(text)) { return null; }
    var chars = Array.from(text);
    for (var at = 1; at < chars.length; at++) {
      if (/[0-9]/.test(chars[at - 1]) && isCjk(chars[at])) { return null; }
    }
    if (ordinalSpans(chars).length > 0) { return null; }
    eachRun(text, function (run) {
      self.coverRun(run, maxWordChars, known).forEach(function (segment) {
        if (!segment.alone) { words.push(segment.text); } else if (!self.isStop(segment.text)) { failed = true; }
      });
    }, function (word) {
      if (self.isStop(word)) { return; }
      if (!known(word)) { failed = true; }
      words.push(word);
    });
    return failed ? null : words;
  };

  /* The port of typo_positions: which characters a correction may replace (alone in the
   * cover, not a stop word, a numeral or inside an ordinal). */
  Analyzer.prototype.typoPositions = function (text, maxWordChars, known) {
    var self = this;
    var chars = Array.from(text);
    var replaceable = chars.map(function () { return false; });
    var at = 0;
    var i = 0;
    while (i < chars.length) {
      if (!isCjk(chars[i])) { i++; continue; }
      var start = i;
      while (i < chars.length && isCjk(chars[i])) { i++; }
      at = start;
      self.coverRun(chars.slice(start, i), maxWordChars, known).forEach(function (segment) {
        var length = Array.from(segment.text).length;
        if (segment.alone && !self.isStop(segment.text)) {
          for (var k = at; k < at + length; k++) { replaceable[k] = true; }
        }
        at += length;
      });
    }
    ordinalSpans(chars).forEach(function (span) {
      for (var k = span[0]; k < span[1]; k++) { replaceable[k] = false; }
    });
    chars.forEach(function (c, k) { if (isChineseNumeral(c)) { replaceable[k] = false; } });
    return replaceable;
  };

  /* The port of split_query: pieces {text, word}, words of at most pieceWordChars characters
   * and, verbatim, what no such word covers. */
  Analyzer.prototype.split = function (text, pieceWordChars, known) {
    var self = this;
    var pieces = [];
    if (DECIMAL.test(text)) { return pieces; }
    var covered = function (run) {
      if (run.length === 0) { return; }
      var pending = '';
      self.coverRun(run, pieceWordChars, known).forEach(function (segment) {
        if (segment.alone && !self.isStop(segment.text)) { pending += segment.text; return; }
        if (pending) { pieces.push({ text: pending, word: false }); pending = ''; }
        if (!segment.alone) { pieces.push({ text: segment.text, word: true }); }
      });
      if (pending) { pieces.push({ text: pending, word: false }); }
    };
    eachRun(text, function (run) {
      // An ordinal in Chinese numerals is one verbatim piece (push_covered in segment.rs).
      var from = 0;
      ordinalSpans(run).forEach(function (span) {
        covered(run.slice(from, span[0]));
        pieces.push({ text: run.slice(span[0], span[1]).join(''), word: false });
        from = span[1];
      });
      covered(run.slice(from));
    }, function (word) {
      if (!self.isStop(word)) { pieces.push({ text: word, word: known(word) }); }
    });
    return self.bindNumbers(pieces, known);
  };

  /* The port of bind_numbers (segment.rs): a number as one verbatim piece with the character
   * after it and a \u7b2c (ordinal) before it, as typed. */
  var ORDINAL = '\u7b2c';
  Analyzer.prototype.bindNumbers = function (pieces, known) {
    var out = [];
    var queue = pieces.slice();
    while (queue.length) {
      var piece = queue.shift();
      if (!/^[0-9]+$/.test(piece.text)) { out.push(piece); continue; }
      var unit = piece.text;
      var before = out[out.length - 1];
      if (before && !before.word && before.text.slice(-1) === ORDINAL) {
        before.text = before.text.slice(0, -1);
        unit = ORDINAL + unit;
        if (!before.text) { out.pop(); }
      }
      var next = queue[0];
      var chars = next ? Array.from(next.text) : [];
      if (chars.length && CJK.test(chars[0])) {
        queue.shift();
        unit += chars[0];
        var remainder = chars.slice(1).join('');
        if (remainder && !this.isStop(remainder)) {
          queue.unshift({ text: remainder, word: chars.length > 2 && known(remainder) });
        }
      }
      out.push({ text: unit, word: false });
    }
    return out;
  };

  /* The request's filters (the API's parameters). */
  var FILTER_NAMES = ['kind', 'meeting', 'tag', 'year', 'from', 'to'];

  /* The port of dates_named: [first, last] day (YYYYMMDD) of the year, month or day a part
   * names. ASCII only, as the whole file: a server may label scripts with another charset.
   * \u5e74 \u5ea6 \u6708 \u65e5: the characters for year, year-as-period, month and day. */
  var YEAR_NAMED = /^(\d{4})(?:\u5e74|\u5e74\u5ea6)?$/;
  var MONTH_NAMED = /^(\d{4})[\u5e74\-\/.](\d{1,2})\u6708?$/;
  var DAY_NAMED = /^(\d{4})[\u5e74\-\/.](\d{1,2})[\u6708\-\/.](\d{1,2})\u65e5?$/;
  var SHORT_YEAR = /^\d\d\u5e74/;
  function datesNamed(text) {
    if (SHORT_YEAR.test(text)) {
      var short = parseInt(text.slice(0, 2), 10);
      return datesNamed((short <= new Date().getUTCFullYear() % 100 + 1 ? '20' : '19') + text);
    }
    var m = YEAR_NAMED.exec(text) || MONTH_NAMED.exec(text) || DAY_NAMED.exec(text);
    if (!m) { return null; }
    var year = parseInt(m[1], 10);
    if (year < 1900 || year > 2100) { return null; }
    if (m[2] === undefined) { return [year * 10000 + 101, year * 10000 + 1231]; }
    var month = parseInt(m[2], 10);
    if (month < 1 || month > 12) { return null; }
    if (m[3] === undefined) { return [year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31]; }
    var day = parseInt(m[3], 10);
    if (day < 1 || day > 31) { return null; }
    return [year * 10000 + month * 100 + day, year * 10000 + month * 100 + day];
  }

  /* The ports of is_whole_date, starts_a_rest, leading_date and trailing_date: a date run
   * together with more words, split off. */
  var YEAR = '\u5e74', PERIOD = '\u5ea6', MONTH = '\u6708', DAY = '\u65e5';
  function isWholeDate(date) {
    var last = date.slice(-1);
    var ends = last === YEAR || last === PERIOD || last === MONTH || last === DAY;
    return (ends || /[\-\/.]/.test(date)) && datesNamed(date) !== null;
  }
  function startsARest(c) {
    return isCjk(c) && c !== YEAR && c !== MONTH && c !== DAY && c !== PERIOD;
  }
  /* The port of with_full_year: a date with a year of two digits written with all four, for snippets. */
  function withFullYear(text) {
    if (!SHORT_YEAR.test(text)) { return null; }
    var range = datesNamed(text);
    return range ? String(Math.floor(range[0] / 1000000)) + text : null;
  }
  function leadingDate(text) {
    var chars = Array.from(text);
    // After a year of two digits, these say it counts years (leading_date in dates.rs).
    var countsYears = SHORT_YEAR.test(text) ? '\u6765\u4ee3\u524d\u540e\u95f4\u5185\u591a\u5de6\u4ee5\u91cc' : '';
    for (var cut = chars.length - 2; cut >= 3; cut--) {
      var date = chars.slice(0, cut).join('');
      if (startsARest(chars[cut]) && countsYears.indexOf(chars[cut]) < 0 && isWholeDate(date)) { return [date, chars.slice(cut).join('')]; }
    }
    return null;
  }
  function trailingDate(text) {
    var chars = Array.from(text);
    for (var cut = 2; cut < chars.length - 2; cut++) {
      var date = chars.slice(cut).join('');
      // After what counts years, a year of two digits stays whole (trailing_date in dates.rs).
      var counted = SHORT_YEAR.test(date) && '\u7b2c\u6ee1\u8fd1\u5171\u7ea6\u6574\u4e86\u903e'.indexOf(chars[cut - 1]) >= 0;
      if (isCjk(chars[cut - 1]) && !counted && isWholeDate(date)) { return [chars.slice(0, cut).join(''), date]; }
    }
    return null;
  }

  /* The port of numerals.rs: ordinals (\u7b2c, a number, a counter) spelled the other ways,
   * digits as Chinese numerals and back. */
  var COUNTERS = '\u6b21\u5c4a\u671f\u6279\u8f6e\u53f7\u7ae0\u8282\u6761\u6b3e\u9879\u5b63\u7bc7\u8bfe\u8bb2\u96c6\u5377';
  var CHINESE_DIGITS = '\u96f6\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d';
  var PLACES = { '\u5341': 10, '\u767e': 100, '\u5343': 1000 };
  var LARGEST_ORDINAL = 9999;
  function inChinese(value) {
    var out = '', gap = false;
    [[1000, '\u5343'], [100, '\u767e'], [10, '\u5341'], [1, '']].forEach(function (place) {
      var digit = Math.floor(value / place[0]) % 10;
      if (digit === 0) { gap = out.length > 0; return; }
      if (gap) { out += CHINESE_DIGITS[0]; gap = false; }
      if (!(place[0] === 10 && digit === 1 && out.length === 0)) { out += CHINESE_DIGITS[digit]; }
      out += place[1];
    });
    return out;
  }
  function chineseValue(number) {
    var total = 0, digit = null;
    var chars = Array.from(number);
    for (var i = 0; i < chars.length; i++) {
      var d = CHINESE_DIGITS.indexOf(chars[i]);
      if (d >= 0) {
        if (digit !== null && digit !== 0) { return null; }
        digit = d;
      } else {
        var place = PLACES[chars[i]];
        if (!place) { return null; }
        total += (digit === null ? 1 : digit) * place;
        digit = null;
      }
    }
    total += digit === null ? 0 : digit;
    return total >= 1 && total <= LARGEST_ORDINAL ? total : null;
  }
  function otherSpelling(number) {
    if (/^[0-9]*$/.test(number)) {
      if (number.charAt(0) === '0') { return null; }
      var value = parseInt(number, 10);
      return value >= 1 && value <= LARGEST_ORDINAL ? inChinese(value) : null;
    }
    var parsed = chineseValue(number);
    return parsed !== null && inChinese(parsed) === number ? String(parsed) : null;
  }
  function isNumeral(c) { return /[0-9]/.test(c) || CHINESE_DIGITS.indexOf(c) >= 0 || PLACES[c] !== undefined; }
  /* The port of is_chinese_numeral: a Chinese digit or place, or \u4e24 or \u3007. */
  function isChineseNumeral(c) { return CHINESE_DIGITS.indexOf(c) >= 0 || PLACES[c] !== undefined || c === '\u4e24' || c === '\u3007'; }
  /* The port of ordinal_spans: [start, end) of each ordinal of `chars`. */
  function ordinalSpans(chars) {
    var spans = [];
    var at = 0;
    while (at < chars.length) {
      if (chars[at] !== ORDINAL) { at++; continue; }
      var end = at + 1;
      while (end < chars.length && isNumeral(chars[end])) { end++; }
      var number = chars.slice(at + 1, end).join('');
      if (end < chars.length && COUNTERS.indexOf(chars[end]) >= 0 && otherSpelling(number) !== null) {
        spans.push([at, end + 1]);
        at = end + 1;
      } else {
        at = Math.max(end, at + 1);
      }
    }
    return spans;
  }
  /* The port of respelled: every ordinal in digits, then every ordinal in Chinese numerals,
   * leaving out the spelling typed. */
  function respelled(text) {
    var chars = Array.from(text);
    var spans = ordinalSpans(chars);
    var spellings = [];
    [true, false].forEach(function (inDigits) {
      var out = '', from = 0;
      spans.forEach(function (span) {
        out += chars.slice(from, span[0] + 1).join('');
        var number = chars.slice(span[0] + 1, span[1] - 1).join('');
        var typedInDigits = /^[0-9]/.test(number);
        var other = otherSpelling(number);
        out += other !== null && typedInDigits !== inDigits ? other : number;
        from = span[1] - 1;
      });
      out += chars.slice(from).join('');
      if (out !== text && spellings.indexOf(out) < 0) { spellings.push(out); }
    });
    return spellings;
  }

  /* The port of corrections in suggest.rs: `part` with one character replaced where
   * `replaceable` allows, so that a stretch of it is written as a vocabulary word or, from
   * minFragmentChars characters, a part of one; the longest stretch first, then the leftmost,
   * then in the words' code point order and where in the word; at most `limit`. */
  function corrections(part, replaceable, words, limit, limits) {
    var chars = Array.from(part);
    var found = [];
    if (limit === 0 || chars.length > limits.maxCorrectedPartChars) { return found; }
    for (var length = Math.min(limits.maxWordChars, chars.length); length >= limits.minCorrectedWordChars; length--) {
      for (var start = 0; start + length <= chars.length; start++) {
        var window = chars.slice(start, start + length);
        if (!window.every(isCjk)) { continue; }
        for (var w = 0; w < words.length; w++) {
          var word = words[w];
          if (length < limits.minFragmentChars && word.length !== length) { continue; }
          for (var offset = 0; offset + length <= word.length; offset++) {
            var at = -1, differing = 0;
            for (var i = 0; i < length && differing < 2; i++) {
              if (word[offset + i] !== window[i]) { differing++; at = i; }
            }
            if (differing !== 1 || !replaceable[start + at]) { continue; }
            var corrected = chars.slice();
            corrected[start + at] = word[offset + at];
            var text = corrected.join('');
            if (found.indexOf(text) < 0) {
              found.push(text);
              if (found.length === limit) { return found; }
            }
          }
        }
      }
    }
    return found;
  }

  /* The port of as_typed (suggest.rs): the typed query with the characters the corrections
   * replaced; null where a part is not found, in order, in its normalised text, or where the
   * corrected text would not parse into the corrected parts. */
  function asTyped(typed, parts, fixed, analyzer, maxChars) {
    var chars = Array.from(typed);
    var normalized = Array.from(analyzer.normalize(typed));
    if (normalized.length !== chars.length) { return null; }
    var from = 0;
    for (var p = 0; p < parts.length; p++) {
      var text = Array.from(parts[p].text);
      var at = -1;
      for (var i = from; i + text.length <= normalized.length && at < 0; i++) {
        var same = true;
        for (var k = 0; k < text.length && same; k++) { same = normalized[i + k] === text[k]; }
        if (same) { at = i; }
      }
      if (at < 0) { return null; }
      from = at + text.length;
      var fixedText = Array.from(fixed[p].text);
      for (var j = 0; j < text.length && j < fixedText.length; j++) {
        if (text[j] !== fixedText[j]) { chars[at + j] = fixedText[j]; }
      }
    }
    var corrected = chars.join('');
    var again = analyzer.parseQuery(corrected, maxChars);
    var same = again.length === fixed.length && again.every(function (part, k) {
      return part.text === fixed[k].text && part.exclude === fixed[k].exclude && part.exact === fixed[k].exact;
    });
    return same ? corrected : null;
  }

  /* The port of query_text: parts written as a query that parses into them again. */
  function queryText(parts) {
    return parts.map(function (part) {
      var text = part.exact ? '"' + part.text + '"' : part.text;
      return part.exclude ? '-' + text : text;
    }).join(' ');
  }

  /* The port of pieces_widen. */
  function piecesWiden(pieces, words) {
    var same = pieces.length === words.length && pieces.every(function (p, i) { return p.word && p.text === words[i]; });
    var specific = pieces.some(function (p) { return !p.word && Array.from(p.text).length > 1; });
    var wordPieces = pieces.filter(function (p) { return p.word; }).length;
    return !same && wordPieces > 0 && (specific || (wordPieces > 1 && words.length !== 1));
  }

  /* The runs of a part's pieces that snippets mark (highlighted_pieces in query.rs): pieces
   * as the part writes them, no run starting or ending with a lone CJK character but the
   * part's own first or last. */
  function highlightedPieces(part, pieces) {
    var lone = function (piece) { var chars = Array.from(piece.text); return chars.length === 1 && CJK.test(chars[0]); };
    var runs = [];
    for (var from = 0; from < pieces.length; from++) {
      var run = '';
      for (var to = from + 1; to <= pieces.length; to++) {
        run += pieces[to - 1].text;
        var ambiguous = (from > 0 && lone(pieces[from])) || (to < pieces.length && lone(pieces[to - 1]));
        if (!ambiguous && Array.from(run).length > 1 && part.indexOf(run) >= 0) { runs.push(run); }
      }
    }
    return runs;
  }

  /* ---------- snippets: the same as src/search/snippet.rs ---------- */

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function matchSpans(haystack, needles) {
    var spans = [];
    needles.forEach(function (needle, which) {
      if (needle.length === 0 || needle.length > haystack.length) { return; }
      // Letters and digits at a needle's ends match only whole (`24` not inside `2024`).
      var wordFirst = isWordChar(needle[0]), wordLast = isWordChar(needle[needle.length - 1]);
      for (var start = 0; start + needle.length <= haystack.length; start++) {
        var end = start + needle.length;
        if (wordFirst && start > 0 && isWordChar(haystack[start - 1])) { continue; }
        if (wordLast && end < haystack.length && isWordChar(haystack[end])) { continue; }
        var ok = true;
        for (var k = 0; k < needle.length; k++) { if (haystack[start + k] !== needle[k]) { ok = false; break; } }
        if (ok) { spans.push([start, end, which]); }
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return spans;
  }

  function merged(spans, from, to) {
    var out = [];
    spans.forEach(function (span) {
      var start = Math.max(span[0], from), end = Math.min(span[1], to);
      if (start >= end) { return; }
      var last = out[out.length - 1];
      if (last && start <= last[1]) { last[1] = Math.max(last[1], end); } else { out.push([start, end]); }
    });
    return out;
  }

  function renderMarks(chars, start, end, marks) {
    var html = '';
    var position = start;
    marks.forEach(function (mark) {
      html += escapeHtml(chars.slice(position, mark[0]).join('')) + '<mark>' + escapeHtml(chars.slice(mark[0], mark[1]).join('')) + '</mark>';
      position = mark[1];
    });
    return html + escapeHtml(chars.slice(position, end).join(''));
  }

  Analyzer.prototype.needles = function (terms) {
    var self = this;
    return terms.map(function (t) { return Array.from(self.normalize(t)); }).filter(function (n) { return n.length > 0; });
  };

  Analyzer.prototype.highlight = function (text, terms) {
    var chars = Array.from(text);
    var spans = matchSpans(Array.from(this.normalize(text)), this.needles(terms));
    return renderMarks(chars, 0, chars.length, merged(spans, 0, chars.length));
  };

  Analyzer.prototype.snippet = function (text, terms, width) {
    var chars = Array.from(text).map(function (c) { return WHITE.test(c) ? ' ' : c; });
    var spans = matchSpans(Array.from(this.normalize(text)), this.needles(terms));
    var best = null;
    spans.forEach(function (span) {
      var from = Math.max(0, span[0] - LEAD), to = from + width;
      var inside = spans.filter(function (s) { return s[0] >= from && s[1] <= to; });
      var distinct = {};
      inside.forEach(function (s) { distinct[s[2]] = true; });
      var key = [Object.keys(distinct).length, inside.length, -from];
      if (!best || key[0] > best[0] || (key[0] === best[0] && (key[1] > best[1] || (key[1] === best[1] && key[2] >= best[2])))) { best = key; }
    });
    var bestStart = best ? -best[2] : 0;
    var end = Math.min(bestStart + width, chars.length);
    var start = Math.min(Math.max(0, end - width), bestStart);
    // No match cut in two (around_whole_matches in snippet.rs).
    for (var moved = true; moved;) {
      moved = false;
      spans.forEach(function (span) {
        if (span[0] < start && start < span[1]) { start = span[0]; moved = true; }
        if (span[0] < end && end < span[1]) { end = span[1]; moved = true; }
      });
    }
    var html = start > 0 ? '\u2026' : '';
    html += trimWhite(renderMarks(chars, start, end, merged(spans, start, end)));
    if (end < chars.length) { html += '\u2026'; }
    return html;
  };

  /* ---------- postings ---------- */

  /* A postings shard (g-, w-): five deflated streams (src/search/pack/files.rs,
   * write_postings_shards): a header (term count; per term its byte length shifted over a mask
   * of the fields holding it, then their document counts), the terms, each document's count
   * less one, each document's delta, each position delta. One pass finds where each term's
   * documents start in the streams; they are decoded when the term is asked for. */
  /* The terms of a shard's header: visit(term, mask) for each, in order, where `mask` has a bit
   * per field holding the term (whose counts follow in the header). */
  function eachTerm(header, termBytes, fieldCount, visit) {
    var shift = Math.pow(2, fieldCount);
    var n = header.next();
    var at = 0;
    for (var i = 0; i < n; i++) {
      var head = header.next();
      var length = Math.floor(head / shift);
      visit(utf8.decode(termBytes.subarray(at, at + length)), head % shift);
      at += length;
    }
  }

  /* A word shard (w-), as src/search/pack/files.rs `postings_streams` writes it: a header (term
   * count; per term its byte length over a field mask, then the fields' document counts), the
   * terms' bytes, every document's count less one, and a bit stream of every list's documents
   * (ascending, Rice-coded: see readAscending). `numDocs`: the documents of the site. */
  function PostingsShard(texts, fieldCount, numDocs) {
    var self = this;
    var header = new Reader(unpack(texts[0]));
    var counts = new Reader(unpack(texts[2]));
    var bits = new BitReader(fromText(texts[3]));
    self.fieldCount = fieldCount;
    self.numDocs = numDocs;
    self.counts = counts.bytes;
    self.bits = bits.bytes;
    self.terms = new Map();
    eachTerm(header, unpack(texts[1]), fieldCount, function (term, mask) {
      var docs = new Array(fieldCount);
      var total = 0;
      for (var f = 0; f < fieldCount; f++) {
        docs[f] = mask & (1 << f) ? header.next() : 0;
        total += docs[f];
      }
      self.terms.set(term, { docs: docs, counts: counts.pos, bits: bits.pos });
      for (var k = 0; k < total; k++) { counts.next(); }
      for (var g = 0; g < fieldCount; g++) { readAscending(bits, docs[g], numDocs, null); }
    });
  }

  /* Bits, most significant first (src/search/pack/files.rs, BitWriter). */
  function BitReader(bytes) { this.bytes = bytes; this.pos = 0; }
  BitReader.prototype.read = function (count) {
    var value = 0;
    while (count > 0) {
      var byte = this.bytes[this.pos >> 3];
      if (byte === undefined) { throw new Error('search data is damaged'); }
      var free = 8 - (this.pos & 7);
      var take = Math.min(free, count);
      value = value * (1 << take) + ((byte >> (free - take)) & ((1 << take) - 1));
      this.pos += take;
      count -= take;
    }
    return value;
  };
  /* A Rice code: `high` one-bits, a zero, the low k bits. */
  BitReader.prototype.rice = function (k) {
    var high = 0;
    for (;;) {
      var byte = this.bytes[this.pos >> 3];
      if (byte === undefined) { throw new Error('search data is damaged'); }
      if ((byte >> (7 - (this.pos & 7))) & 1) { high++; this.pos++; } else { this.pos++; break; }
    }
    return high * Math.pow(2, k) + this.read(k);
  };

  /* `count` ascending values below `space`, Rice-coded gaps (files.rs, push_ascending): each
   * passed to visit(value), or skipped when visit is null. */
  function readAscending(bits, count, space, visit) {
    var k = riceK(space, count);
    var value = -1;
    for (var i = 0; i < count; i++) {
      value += bits.rice(k) + 1;
      if (visit) { visit(value); }
    }
    if (value >= space) { throw new Error('search data is damaged'); }
  }

  /* The Rice parameter of `count` values spread over `space` (files.rs, rice_k). */
  function riceK(space, count) {
    var spacing = Math.floor(space / Math.max(count, 1));
    var k = 0;
    while (spacing >= 2 && k < 31) { spacing = Math.floor(spacing / 2); k++; }
    return k;
  }

  /* A gram shard (g-), as src/search/pack/files.rs `gram_streams` writes it: a header (term
   * count, count of numbered grams, per term its byte length over a field mask, then the
   * fields' occurrence counts), the bytes of the terms that are not two alphabet characters,
   * and a bit stream: the numbered grams (first rank times the alphabet size plus the second
   * rank) as Rice-coded gaps, then per term and field the gaps between its occurrences'
   * offsets in all documents' texts laid end to end. `totals`: each field's text length. */
  function GramShard(texts, fieldCount, alphabet, totals) {
    var header = new Reader(unpack(texts[0]));
    var termBytes = unpack(texts[1]);
    var bits = new BitReader(fromText(texts[2]));
    var shift = Math.pow(2, fieldCount);
    this.fieldCount = fieldCount;
    this.bits = bits.bytes;
    this.terms = new Map();
    var n = header.next();
    var numbered = header.next();
    var size = alphabet.length;
    var names = [];
    readAscending(bits, numbered, size * size, function (number) {
      names.push(alphabet[Math.floor(number / size)] + alphabet[number % size]);
    });
    var at = 0;
    for (var t = 0; t < n; t++) {
      var head = header.next();
      var length = Math.floor(head / shift);
      var mask = head % shift;
      if (t >= numbered) { names[t] = utf8.decode(termBytes.subarray(at, at + length)); at += length; }
      var lists = new Array(fieldCount);
      for (var f = 0; f < fieldCount; f++) {
        if (!(mask & (1 << f))) { lists[f] = null; continue; }
        var count = header.next();
        var listK = riceK(totals[f], count);
        lists[f] = { count: count, k: listK, pos: bits.pos };
        for (var c = 0; c < count; c++) { bits.rice(listK); }
      }
      this.terms.set(names[t], lists);
    }
  }

  /* Gram postings: doc -> [positions in field 0, 1, 2] (null where absent), each offset
   * placed in its document by `starts` (per field, where each document's text begins). */
  GramShard.prototype.postings = function (gram, starts) {
    var lists = this.terms.get(gram);
    if (!lists) { return null; }
    var docs = new Map();
    for (var f = 0; f < this.fieldCount; f++) {
      var list = lists[f];
      if (!list) { continue; }
      var bits = new BitReader(this.bits);
      bits.pos = list.pos;
      var fieldStarts = starts[f];
      var offset = -1, doc = 0, positions = null;
      for (var c = 0; c < list.count; c++) {
        offset += bits.rice(list.k) + 1;
        if (offset >= fieldStarts[doc + 1]) {
          doc = upperBound(fieldStarts, offset, doc + 1) - 1;
          positions = null;
        }
        if (doc >= fieldStarts.length - 1) { throw new Error('search data is damaged'); }
        if (!positions) {
          var fields = docs.get(doc);
          if (!fields) { fields = [null, null, null]; docs.set(doc, fields); }
          positions = fields[f] = [];
        }
        positions.push(offset - fieldStarts[doc]);
      }
    }
    return docs;
  };

  /* The first index at or after `from` whose value exceeds `value` (values ascending). */
  function upperBound(values, value, from) {
    var low = from, high = values.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (values[middle] > value) { high = middle; } else { low = middle + 1; }
    }
    return low;
  }

  /* Calls visit(field, doc, count) for each document of `term`, in field and document order;
   * returns false when the shard has no such term. */
  PostingsShard.prototype.each = function (term, visit) {
    var entry = this.terms.get(term);
    if (!entry) { return false; }
    var counts = new Reader(this.counts);
    var bits = new BitReader(this.bits);
    counts.pos = entry.counts;
    bits.pos = entry.bits;
    for (var f = 0; f < this.fieldCount; f++) {
      readAscending(bits, entry.docs[f], this.numDocs, function (doc) { visit(f, doc, counts.next() + 1); });
    }
    return true;
  };

  /* Positions in the three gram fields as one row (per field: documents, then per document
   * (delta << 1) | more, its count when more, its position deltas): doc -> [positions in
   * field 0, 1, 2] (null where absent). */
  function gramRow(reader) {
    var docs = new Map();
    for (var f = 0; f < 3; f++) {
      var n = reader.next();
      var doc = 0;
      for (var i = 0; i < n; i++) {
        var head = reader.next();
        doc += Math.floor(head / 2);
        putPositions(docs, f, doc, head % 2 ? reader.next() : 1, reader);
      }
    }
    return docs;
  }

  /* Reads `count` position deltas from `reader` as document `doc`'s positions in field `f`. */
  function putPositions(docs, f, doc, count, reader) {
    var positions = new Array(count);
    var last = 0;
    for (var k = 0; k < count; k++) { last += reader.next(); positions[k] = last; }
    var fields = docs.get(doc);
    if (!fields) { fields = [null, null, null]; docs.set(doc, fields); }
    fields[f] = positions;
  }

  /* Word postings: per field, Map doc -> term frequency. */
  function wordPostings(shard, word) {
    var out = [];
    for (var f = 0; f < shard.fieldCount; f++) { out.push(new Map()); }
    var found = shard.each(word, function (f, doc, count) { out[f].set(doc, count); });
    return found ? out : null;
  }

  /* ---------- the engine ---------- */

  function Engine(pack, meta, fold, docsBytes) {
    this.pack = pack;
    this.meta = meta;
    var foldMap = Object.create(null);
    var chars = Array.from(fold);
    for (var i = 0; i + 1 < chars.length; i += 2) { foldMap[chars[i]] = chars[i + 1]; }
    this.analyzer = new Analyzer(foldMap, meta.stopWords);
    this.parseDocs(docsBytes);
    this.gramShards = Object.create(null);
    this.charShards = Object.create(null);
    this.decodedChars = Object.create(null);
    this.wordShards = Object.create(null);
    this.vocabulary = Object.create(null);
    this.decodedGrams = Object.create(null);
    this.decodedWords = Object.create(null);
  }

  Engine.prototype.parseDocs = function (bytes) {
    var n = this.meta.docs;
    var reader = new Reader(bytes);
    var alphabetLength = reader.next();
    this.alphabet = Array.from(utf8.decode(bytes.subarray(reader.pos, reader.pos + alphabetLength)));
    reader.pos += alphabetLength;
    this.dates = new Uint32Array(n);
    this.kinds = new Uint8Array(n);
    this.meetings = new Uint32Array(n);
    this.tags = new Array(n);
    for (var d = 0; d < n; d++) {
      this.dates[d] = reader.next();
      this.kinds[d] = reader.next();
      this.meetings[d] = reader.next();
      var count = reader.next();
      var tags = new Array(count);
      for (var k = 0; k < count; k++) { tags[k] = reader.next(); }
      this.tags[d] = tags;
    }
    var fields = this.meta.wordFields.length;
    this.norms = [];
    for (var f = 0; f < fields; f++) {
      this.norms.push(bytes.subarray(reader.pos + f * n, reader.pos + (f + 1) * n));
    }
    reader.pos += fields * n;
    // Per gram field, where each document's text begins when all are laid end to end.
    this.gramStarts = [];
    for (var g = 0; g < 3; g++) {
      var starts = new Float64Array(n + 1);
      for (var d2 = 0; d2 < n; d2++) { starts[d2 + 1] = starts[d2] + reader.next(); }
      this.gramStarts.push(starts);
    }
    this.gramTotals = this.gramStarts.map(function (starts) { return starts[n]; });
    var N = Math.fround(n);
    this.averages = this.meta.wordFields.map(function (field) { return Math.fround(Math.fround(field.totalTokens) / N); });
    var table = this.meta.fieldnormTable;
    this.normCaches = this.averages.map(function (average) {
      var cache = new Float64Array(256);
      for (var id = 0; id < 256; id++) {
        cache[id] = Math.fround(K1 * Math.fround(Math.fround(1 - B) + Math.fround(Math.fround(B * Math.fround(table[id])) / average)));
      }
      return cache;
    });
  };

  Engine.prototype.loadShards = function (prefix, ids, store) {
    var self = this;
    var unique = ids.filter(function (id, i) { return ids.indexOf(id) === i && !store[id]; });
    return Promise.all(unique.map(function (id) {
      return self.pack.load(prefix + '-' + id).then(function (data) {
        if (prefix === 'g') { store[id] = new GramShard(data, 3, self.alphabet, self.gramTotals); }
        else if (prefix === 'w') { store[id] = new PostingsShard(data, self.meta.wordFields.length, self.meta.docs); }
        else { store[id] = parseShard(data); }
      });
    }));
  };

  Engine.prototype.gramShardOf = function (gram) { return fnv1a(gram) % this.meta.gramShards; };
  Engine.prototype.charShardOf = function (c) { return fnv1a(c) % this.meta.charShards; };

  /* A CJK character: the documents holding it and the grams that start with it. */
  Engine.prototype.charEntry = function (c) {
    if (this.decodedChars[c] !== undefined) { return this.decodedChars[c]; }
    var shard = this.charShards[this.charShardOf(c)];
    var bytes = shard && shard[c];
    var entry = null;
    if (bytes) {
      // As src/search/pack/mod.rs `char_entry` writes it.
      var alphabet = this.alphabet;
      var reader = new Reader(bytes);
      var ranked = reader.next();
      var length = reader.next();
      var others = utf8.decode(bytes.subarray(reader.pos, reader.pos + length));
      reader.pos += length;
      var n = reader.next();
      var bitBytes = reader.next();
      var bits = new BitReader(bytes.subarray(reader.pos, reader.pos + bitBytes));
      reader.pos += bitBytes;
      var terms = [];
      readAscending(bits, ranked, alphabet.length + 1, function (rank) { terms.push(rank === alphabet.length ? c : c + alphabet[rank]); });
      Array.from(others).forEach(function (next) { terms.push(c + next); });
      var docs = new Set();
      readAscending(bits, n, this.meta.docs, function (doc) { docs.add(doc); });
      // Its positions beside a letter or digit, after one and before one (boundaries.rs).
      var beside = reader.pos < bytes.length ? [gramRow(reader), gramRow(reader)] : [new Map(), new Map()];
      entry = { docs: docs, terms: terms, after: beside[0], before: beside[1] };
    }
    this.decodedChars[c] = entry;
    return entry;
  };
  Engine.prototype.wordShardOf = function (word) { return fnv1a(word) % this.meta.wordShards; };

  Engine.prototype.gramTerm = function (gram) {
    if (this.decodedGrams[gram] !== undefined) { return this.decodedGrams[gram]; }
    var shard = this.gramShards[this.gramShardOf(gram)];
    var postings = shard ? shard.postings(gram, this.gramStarts) : null;
    this.decodedGrams[gram] = postings;
    return postings;
  };

  Engine.prototype.wordTerm = function (word) {
    if (this.decodedWords[word] !== undefined) { return this.decodedWords[word]; }
    var shard = this.wordShards[this.wordShardOf(word)];
    var postings = shard ? wordPostings(shard, word) : null;
    this.decodedWords[word] = postings;
    return postings;
  };

  Engine.prototype.vocabularyShardOf = function (word) { return fnv1a(word) % this.meta.vocabularyShards; };

  Engine.prototype.loadVocabulary = function (ids) {
    var self = this;
    var unique = ids.filter(function (id, i) { return ids.indexOf(id) === i && !self.vocabulary[id]; });
    return Promise.all(unique.map(function (id) {
      return self.pack.load('v-' + id).then(function (text) {
        var words = new Set();
        if (typeof text !== 'string') { throw new Error('search data file v-' + id + ' is damaged'); }
        text.split('\n').forEach(function (w) { if (w) { words.add(w); } });
        self.vocabulary[id] = words;
      });
    }));
  };

  Engine.prototype.hasWord = function (word) {
    var words = this.vocabulary[this.vocabularyShardOf(word)];
    return !!(words && words.has(word));
  };

  /* Postings of every gram term that starts with the character `c`, merged (its successor
   * grams' shards must be loaded). */
  /* A lone character at gs[i] right after a letter or digit gram ('after', as U+5E74 in '2024\u5e74')
   * or right before one ('before', as U+7B2C in '\u7b2c1') can only match where it stands beside one: its
   * boundary positions say where. null: any gram starting with it may stand there. */
  function besideWord(gs, i) {
    var left = gs[i - 1], right = gs[i + 1];
    var isWord = function (g) { return g && !g.prefix && !isCjk(Array.from(g.text)[0]); };
    if (isWord(left) && left.position + Array.from(left.text).length === gs[i].position) { return 'after'; }
    if (isWord(right) && gs[i].position + 1 === right.position) { return 'before'; }
    return null;
  }

  /* Where a lone character of a phrase may stand: its boundary positions, or every gram it
   * starts. */
  Engine.prototype.lonePostings = function (gs, i) {
    var side = besideWord(gs, i);
    if (!side) { return this.prefixPostings(gs[i].text); }
    var entry = this.charEntry(gs[i].text);
    return entry ? entry[side] : new Map();
  };

  Engine.prototype.prefixPostings = function (c) {
    var self = this;
    var merged = new Map();
    var entry = self.charEntry(c);
    (entry ? entry.terms : []).forEach(function (term) {
      var postings = self.gramTerm(term);
      if (!postings) { return; }
      postings.forEach(function (fields, doc) {
        var into = merged.get(doc);
        if (!into) { into = [null, null, null]; merged.set(doc, into); }
        for (var f = 0; f < 3; f++) {
          if (fields[f]) { into[f] = (into[f] || []).concat(fields[f]); }
        }
      });
    });
    return merged;
  };

  /* Documents containing `text` verbatim in the title, text or session fields, each with its
   * score: the port of verbatim_query and verbatim_score (phrase of query grams; a lone CJK
   * character matches as a prefix, with no field bonus). */
  Engine.prototype.verbatim = function (text) {
    var self = this;
    var base = self.meta.verbatimScore;
    var bonus = self.meta.verbatimFieldBonus || [0, 0, 0];
    var gs = queryGrams(text);
    var found = new Map();
    if (gs.length === 0) { return found; }
    if (gs.length === 1 && gs[0].prefix) {
      var entry = self.charEntry(gs[0].text);
      (entry ? entry.docs : []).forEach(function (doc) { found.set(doc, base); });
      return found;
    }
    var lists = gs.map(function (g, i) { return g.prefix ? self.lonePostings(gs, i) : self.gramTerm(g.text); });
    if (lists.some(function (l) { return !l; })) { return found; }
    var first = gs[0].position;
    lists[0].forEach(function (fields0, doc) {
      var score = base, any = false;
      for (var f = 0; f < 3; f++) {
        if (!fields0[f] || fields0[f].length === 0) { continue; }
        var perGram = [];
        var complete = true;
        for (var g = 1; g < lists.length; g++) {
          var entry = lists[g].get(doc);
          if (!entry || !entry[f]) { complete = false; break; }
          perGram.push(new Set(entry[f]));
        }
        if (!complete) { continue; }
        var hit = fields0[f].some(function (p0) {
          for (var g2 = 1; g2 < gs.length; g2++) {
            if (!perGram[g2 - 1].has(p0 + gs[g2].position - first)) { return false; }
          }
          return true;
        });
        if (hit) { any = true; score += bonus[f]; }
      }
      if (any) { found.set(doc, score); }
    });
    return found;
  };

  /* BM25 of one word over the word fields with their boosts, as tantivy computes it. */
  Engine.prototype.wordScores = function (word) {
    var postings = this.wordTerm(word);
    var scores = new Map();
    if (!postings) { return scores; }
    var N = this.meta.docs;
    for (var f = 0; f < postings.length; f++) {
      var field = postings[f];
      if (field.size === 0) { continue; }
      var df = field.size;
      var x = Math.fround(Math.fround(Math.fround(N - df) + 0.5) / Math.fround(df + 0.5));
      var idf = Math.fround(Math.log(Math.fround(1 + x)));
      /* As tantivy: the boost multiplies the term's weight (Bm25Weight::boost_by), which then
       * multiplies the frequency factor; f32 rounding at each step. */
      var weight = Math.fround(Math.fround(idf * Math.fround(1 + K1)) * Math.fround(this.meta.wordFields[f].boost));
      var norms = this.norms[f], cache = this.normCaches[f];
      field.forEach(function (tf, doc) {
        var factor = Math.fround(tf / Math.fround(tf + cache[norms[doc]]));
        /* Rounded to 1/1024 as src/search/quantized.rs: sums are then exact in any order. */
        var score = Math.round(Math.fround(weight * factor) * 1024) / 1024;
        scores.set(doc, Math.fround((scores.get(doc) || 0) + score));
      });
    }
    return scores;
  };

  /* The port of Searcher::search: a query that finds nothing comes with a corrected one that
   * does, if there is one (suggestion). */
  Engine.prototype.search = function (request) {
    var self = this;
    var started = performance.now();
    return self.searchOnce(request).then(function (answer) {
      if (answer.total > 0 || request.countOnly) { return answer; }
      var parts = self.analyzer.parseQuery(request.q || '', self.meta.maxQueryChars);
      // A correction only helps: if a data file fails, the answer stands without one (a file
      // from another build still makes the page reload the pack).
      return self.suggestion(parts, request).catch(function (error) {
        if (error && error.stale) { throw error; }
        return null;
      }).then(function (suggestion) {
        answer.suggestion = suggestion;
        answer.took_ms = performance.now() - started;
        return answer;
      });
    });
  };

  /* How many pages `query` finds under the filters of `request` (Searcher::count). */
  Engine.prototype.count = function (query, request) {
    var counted = { q: query, countOnly: true };
    FILTER_NAMES.forEach(function (name) { if (request[name]) { counted[name] = request[name]; } });
    return this.searchOnce(counted).then(function (answer) { return answer.total; });
  };

  /* The port of Searcher::suggestion: each part that finds nothing alone (not quoted, not
   * left out) corrected by the vocabulary's words where typoPositions allows, the first
   * correction that finds pages alone, of at most maxCorrectionsTried tries in all; the whole
   * corrected query must then find pages under the same filters. */
  Engine.prototype.suggestion = function (parts, request) {
    var self = this;
    var meta = self.meta;
    var triesLeft = meta.maxCorrectionsTried;
    var fixed = parts.slice();
    var correctedAny = false;
    var index = 0;
    var known = function (word) { return self.hasWord(word); };
    var finish = function () {
      if (!correctedAny) { return Promise.resolve(null); }
      var query = queryText(fixed);
      return self.count(query, request).then(function (found) {
        if (found === 0) { return null; }
        return asTyped(request.q || '', parts, fixed, self.analyzer, meta.maxQueryChars) || query;
      });
    };
    var next = function () {
      while (index < parts.length) {
        var at = index++;
        var part = parts[at];
        if (part.exclude || part.exact || triesLeft === 0 || Array.from(part.text).length > meta.maxCorrectedPartChars) { continue; }
        return self.count(queryText([part]), {}).then(function (alone) {
          if (alone > 0) { return next(); }
          // Nowhere a typo may be: the vocabulary is not loaded (the part's own shards are).
          var replaceable = self.analyzer.typoPositions(part.text, meta.maxWordChars, known);
          if (replaceable.indexOf(true) < 0) { return next(); }
          return self.correctionWords().then(function (words) {
            var tries = corrections(part.text, replaceable, words, triesLeft, meta);
            // A scan that finds nothing costs a try too (suggestion in suggest.rs).
            if (tries.length === 0) { triesLeft--; }
            var attempt = function (k) {
              if (k >= tries.length) { return next(); }
              triesLeft--;
              var corrected = newPart(tries[k], false, false);
              return self.count(queryText([corrected]), {}).then(function (found) {
                if (found === 0) { return attempt(k + 1); }
                fixed[at] = corrected;
                correctedAny = true;
                return next();
              });
            };
            return attempt(0);
          });
        });
      }
      return finish();
    };
    return next();
  };

  /* The words corrections come from (Vocabulary in suggest.rs): every vocabulary shard, read
   * once, its Chinese words of minCorrectedWordChars characters or more, in code point order. */
  Engine.prototype.correctionWords = function () {
    var self = this;
    if (self.corrections) { return Promise.resolve(self.corrections); }
    var ids = [];
    for (var id = 0; id < self.meta.vocabularyShards; id++) { ids.push(id); }
    return self.loadVocabulary(ids).then(function () {
      var words = [];
      ids.forEach(function (id) {
        self.vocabulary[id].forEach(function (word) {
          var chars = Array.from(word);
          if (chars.length >= self.meta.minCorrectedWordChars && chars.every(isCjk)) { words.push(word); }
        });
      });
      self.corrections = words.sort(compareText).map(function (word) { return Array.from(word); });
      return self.corrections;
    });
  };

  Engine.prototype.searchOnce = function (request) {
    var self = this;
    var started = performance.now();
    var meta = self.meta;
    var analyzer = self.analyzer;
    var parts = analyzer.parseQuery(request.q || '', meta.maxQueryChars);
    var positive = parts.filter(function (p) { return !p.exclude && !analyzer.isStop(p.text); });
    var empty = { query: Array.from(request.q || '').slice(0, meta.maxQueryChars).join(''), total: 0, results: [], facets: { kind: [], year: [], meeting: [], tag: [] }, took_ms: 0, suggestion: null };
    var hasFilters = FILTER_NAMES.some(function (name) { return request[name]; });
    if (positive.length === 0 && !hasFilters) { return Promise.resolve(empty); }

    // Each part, and its other spelling after it (Part::other_spelling), loads what it needs.
    var spellings = [];
    parts.forEach(function (part) {
      spellings.push(part);
      part.others.forEach(function (other) { spellings.push(other); });
    });
    var gramIds = [], charIds = [], vocabularyIds = [];
    spellings.forEach(function (part) {
      queryGrams(part.text).forEach(function (g) {
        if (g.prefix) { charIds.push(self.charShardOf(g.text)); } else { gramIds.push(self.gramShardOf(g.text)); }
      });
      if (!part.exclude) {
        analyzer.candidateWords(part.text, meta.maxWordChars).forEach(function (w) { vocabularyIds.push(self.vocabularyShardOf(w)); });
      }
    });
    var known = function (word) { return self.hasWord(word); };
    return Promise.all([
      self.loadShards('g', gramIds, self.gramShards),
      self.loadShards('c', charIds, self.charShards),
      self.loadVocabulary(vocabularyIds)
    ]).then(function () {
      // Only the words the query splits into need their postings; a lone character inside a
      // phrase needs the grams that start with it.
      var wordIds = [], successorIds = [], pieceCharIds = [];
      spellings.forEach(function (part) {
        // The port of matched_by: the part's words and, when they widen it, its pieces, worked
        // out once for the shards, the scores and the highlights.
        part.words = part.exclude ? [] : (analyzer.segment(part.text, meta.maxWordChars, known) || []);
        var pieces = part.exclude || part.exact ? [] : analyzer.split(part.text, meta.pieceWordChars, known);
        part.pieces = piecesWiden(pieces, part.words) ? pieces : [];
        part.words.forEach(function (w) { wordIds.push(self.wordShardOf(w)); });
        // A piece's grams are the part's, but for a lone character, which needs its entry.
        part.pieces.forEach(function (piece) {
          if (piece.word) { wordIds.push(self.wordShardOf(piece.text)); return; }
          queryGrams(piece.text).forEach(function (g) { if (g.prefix) { pieceCharIds.push(self.charShardOf(g.text)); } });
        });
        var gs = queryGrams(part.text);
        if (gs.length > 1) {
          gs.forEach(function (g, i) {
            if (!g.prefix || besideWord(gs, i)) { return; }
            var entry = self.charEntry(g.text);
            (entry ? entry.terms : []).forEach(function (term) { successorIds.push(self.gramShardOf(term)); });
          });
        }
      });
      return Promise.all([
        self.loadShards('w', wordIds, self.wordShards),
        self.loadShards('g', successorIds, self.gramShards),
        self.loadShards('c', pieceCharIds, self.charShards)
      ]);
    }).then(function () {
      var matched = null;
      var scores = new Map();
      var terms = [];
      var scoresOf = function (part) {
        var verbatim = self.verbatim(part.text);
        var partScores = new Map();
        verbatim.forEach(function (score, doc) { partScores.set(doc, score); });
        // A year, month or day: the pages dated in it, in the verbatim tier, counted once
        // (the higher of the two) for a page that also holds it verbatim.
        var dated = part.exact ? null : datesNamed(part.text);
        if (dated) {
          for (var d = 0; d < self.dates.length; d++) {
            if (self.dates[d] >= dated[0] && self.dates[d] <= dated[1]) {
              partScores.set(d, Math.max(partScores.get(d) || 0, meta.verbatimScore));
            }
          }
        }
        {
          // BM25 of the part's words ranks within each tier; an exact part matches only verbatim.
          var words = part.words;
          var wordMaps = words.map(function (w) { return self.wordScores(w); });
          var addWords = function (doc, value) {
            if (part.exact && !partScores.has(doc)) { return; }
            partScores.set(doc, Math.fround((partScores.get(doc) || 0) + value));
          };
          if (words.length === 1) {
            wordMaps[0].forEach(function (value, doc) { addWords(doc, value); });
          } else if (words.length > 1) {
            wordMaps[0].forEach(function (_, doc) {
              var total = 0;
              for (var w = 0; w < wordMaps.length; w++) {
                var value = wordMaps[w].get(doc);
                if (value === undefined) { return; }
                total = Math.fround(total + value);
              }
              addWords(doc, total);
            });
          }
          // Or all of its pieces (split_query), the verbatim ones only admitting a page.
          var pieces = part.pieces;
          if (pieces.length > 0) {
            var pieceMaps = pieces.map(function (piece) { return piece.word ? self.wordScores(piece.text) : self.verbatim(piece.text); });
            var firstWord = pieces.findIndex(function (piece) { return piece.word; });
            pieceMaps[firstWord].forEach(function (_, doc) {
              var total = 0;
              for (var q = 0; q < pieces.length; q++) {
                var value = pieceMaps[q].get(doc);
                if (value === undefined) { return; }
                if (pieces[q].word) { total = Math.fround(total + value); }
              }
              addWords(doc, total);
            });
          }

        }
        return partScores;
      };
      positive.forEach(function (part) {
        // Spelled any way, a page scores the highest of its spellings (spelled_either_way).
        var partScores = scoresOf(part);
        part.others.forEach(function (other) {
          scoresOf(other).forEach(function (value, doc) {
            partScores.set(doc, Math.max(partScores.get(doc) || 0, value));
          });
        });
        if (matched === null) {
          matched = new Set(partScores.keys());
        } else {
          matched.forEach(function (doc) { if (!partScores.has(doc)) { matched.delete(doc); } });
        }
        partScores.forEach(function (value, doc) { scores.set(doc, Math.fround((scores.get(doc) || 0) + value)); });
      });
      // Filters alone: every page they admit, newest first.
      if (matched === null) {
        matched = new Set();
        for (var all = 0; all < self.dates.length; all++) { matched.add(all); scores.set(all, 0); }
      }
      // A section's own page scores a part of what a page would (SECTION_SCORE_FACTOR, query.rs).
      matched.forEach(function (doc) {
        if (KINDS[self.kinds[doc]] === 'section') { scores.set(doc, Math.fround(scores.get(doc) * meta.sectionScoreFactor)); }
      });
      // What snippets mark: every part that is not excluded (stop words too), and its words.
      var pushTerms = function (part) {
        terms.push(part.text);
        if (!part.exact) {
          var full = withFullYear(part.text);
          if (full) { terms.push(full); }
          terms = terms.concat(highlightedPieces(part.text, part.pieces));
          terms = terms.concat(part.words);
        }
      };
      parts.filter(function (p) { return !p.exclude; }).forEach(function (part) {
        pushTerms(part);
        part.others.forEach(pushTerms);
      });
      parts.filter(function (p) { return p.exclude; }).forEach(function (part) {
        self.verbatim(part.text).forEach(function (_, doc) { matched.delete(doc); });
        part.others.forEach(function (other) {
          self.verbatim(other.text).forEach(function (_, doc) { matched.delete(doc); });
        });
        // An excluded year, month or day leaves out the pages dated then too, as the part finds them.
        var range = part.exact ? null : datesNamed(part.text);
        if (range) {
          matched.forEach(function (doc) { if (self.dates[doc] >= range[0] && self.dates[doc] <= range[1]) { matched.delete(doc); } });
        }
      });
      var filtered = self.filter(Array.from(matched), request);
      if (request.countOnly) { return { total: filtered.length }; }
      var key = function (doc) { return Math.round(scores.get(doc) * 1000); };
      filtered.sort(function (a, b) {
        return key(b) - key(a) || self.dates[b] - self.dates[a] || a - b;
      });
      var facets = self.facets(filtered, request.facets);
      var offset = Math.max(0, parseInt(request.offset || 0, 10) || 0);
      var limit = Math.max(1, parseInt(request.limit || 10, 10) || 10);
      var page = filtered.slice(offset, offset + limit);
      terms.sort(function (a, b) { return Array.from(b).length - Array.from(a).length; });
      terms = terms.filter(function (t, i) { return i === 0 || t !== terms[i - 1]; });
      return self.hits(page, scores, terms).then(function (results) {
        return {
          query: empty.query,
          total: filtered.length,
          results: results,
          facets: facets,
          took_ms: performance.now() - started,
          suggestion: null
        };
      });
    });
  };

  Engine.prototype.filter = function (docs, request) {
    var self = this;
    var meetingId = 0;
    if (request.meeting) { meetingId = self.meta.meetings.indexOf(request.meeting) + 1; if (meetingId === 0) { return []; } }
    var tagId = -1;
    if (request.tag) { tagId = self.meta.tags.indexOf(request.tag); if (tagId < 0) { return []; } }
    var kind = KINDS.indexOf(request.kind);
    var year = request.year ? parseInt(request.year, 10) : 0;
    var ordinal = function (date) { return date ? parseInt(date.replace(/-/g, ''), 10) : 0; };
    var from = ordinal(request.from), to = ordinal(request.to);
    return docs.filter(function (doc) {
      var date = self.dates[doc];
      if (kind >= 0 && self.kinds[doc] !== kind) { return false; }
      if (meetingId && self.meetings[doc] !== meetingId) { return false; }
      if (tagId >= 0 && self.tags[doc].indexOf(tagId) < 0) { return false; }
      if (year && Math.floor(date / 10000) !== year) { return false; }
      if ((from || to) && (date < Math.max(from, 1) || (to && date > to))) { return false; }
      return true;
    });
  };

  /* Strings in code point order, as Rust compares them (UTF-16 order differs above U+FFFF). */
  function compareText(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) { return x < y ? -1 : 1; }
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return i < a.length ? 1 : (j < b.length ? -1 : 0);
  }

  function sortedCounts(counts, byValueDesc) {
    var list = Object.keys(counts).map(function (value) { return { value: value, count: counts[value] }; });
    if (byValueDesc) { return list.sort(function (a, b) { return compareText(b.value, a.value); }); }
    return list.sort(function (a, b) { return b.count - a.count || compareText(a.value, b.value); });
  }

  /* Counts over every match; with `limit` (the API's `facets`), that many values each. */
  Engine.prototype.facets = function (docs, limit) {
    var self = this;
    var kind = Object.create(null), year = Object.create(null), meeting = Object.create(null), tag = Object.create(null);
    docs.forEach(function (doc) {
      var k = KINDS[self.kinds[doc]];
      kind[k] = (kind[k] || 0) + 1;
      var y = Math.floor(self.dates[doc] / 10000);
      if (y > 0) { year[y] = (year[y] || 0) + 1; }
      var m = self.meetings[doc];
      if (m) { var name = self.meta.meetings[m - 1]; meeting[name] = (meeting[name] || 0) + 1; }
      self.tags[doc].forEach(function (t) { var name = self.meta.tags[t]; tag[name] = (tag[name] || 0) + 1; });
    });
    var most = limit === undefined || limit === '' ? Infinity : Math.max(0, parseInt(limit, 10) || 0);
    var first = function (list) { return list.slice(0, most); };
    return { kind: first(sortedCounts(kind)), year: first(sortedCounts(year, true)), meeting: first(sortedCounts(meeting)), tag: first(sortedCounts(tag)) };
  };

  Engine.prototype.chunkOf = function (doc) {
    var starts = this.meta.chunkStarts;
    var chunk = 0;
    while (chunk + 1 < starts.length && starts[chunk + 1] <= doc) { chunk++; }
    return chunk;
  };

  Engine.prototype.hits = function (docs, scores, terms) {
    var self = this;
    var chunks = docs.map(function (doc) { return self.chunkOf(doc); });
    var unique = chunks.filter(function (c, i) { return chunks.indexOf(c) === i; });
    return Promise.all(unique.map(function (c) {
      return self.pack.load('t-' + c).then(function (text) { return [c, JSON.parse(decodeText(unpack(text), self.alphabet))]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (entry) { byChunk[entry[0]] = entry[1]; });
      return docs.map(function (doc, i) {
        var chunk = chunks[i];
        var row = byChunk[chunk][doc - self.meta.chunkStarts[chunk]];
        var date = row[4];
        var pad = function (n, w) { n = String(n); while (n.length < w) { n = '0' + n; } return n; };
        return {
          path: row[2],
          url: row[1],
          title: row[0],
          title_html: self.analyzer.highlight(row[0], terms),
          kind: row[3],
          date: date > 0 ? pad(Math.floor(date / 10000), 4) + '-' + pad(Math.floor(date / 100) % 100, 2) + '-' + pad(date % 100, 2) : null,
          meeting: row[5] || null,
          host: row[9] || null,
          tags: row[6],
          score: scores.get(doc),
          snippet: self.analyzer.snippet(row[8], terms, self.meta.snippetChars),
          studied: row[7]
        };
      });
    });
  };

  /* Sorted strings front-coded by the pack (src/search/pack/mod.rs, `front_coded`): pairs of
   * the length shared with the string before, in UTF-16 code units, and the rest. */
  function frontDecoded(pairs) {
    var out = [];
    var previous = '';
    for (var i = 0; i + 1 < pairs.length; i += 2) {
      previous = previous.slice(0, pairs[i]) + pairs[i + 1];
      out.push(previous);
    }
    return out;
  }

  /* The first document of each text chunk, from the documents in each. */
  function runningStarts(sizes) {
    var starts = [];
    var start = 0;
    for (var i = 0; i < sizes.length; i++) { starts.push(start); start += sizes[i]; }
    return starts;
  }

  /* The backend the search page uses: search(params) -> Promise of results. */
  function StaticBackend(base) {
    this.base = base;
    this.pack = new Pack(base, '');
    this.engine = null;
  }

  StaticBackend.prototype.ready = function () {
    var self = this;
    if (self.engine) { return Promise.resolve(self.engine); }
    if (!self.starting) {
      self.starting = self.pack.load('meta').then(function (meta) {
        if (meta.format !== 13) { throw new Error('search data from another version of studybook'); }
        self.pack.version = meta.build;
        meta.tags = frontDecoded(meta.tags);
        meta.chunkStarts = runningStarts(meta.chunkSizes);
        return Promise.all([self.pack.load('fold'), self.pack.load('docs')]).then(function (loaded) {
          self.engine = new Engine(self.pack, meta, loaded[0], unpack(loaded[1]));
          return self.engine;
        });
      });
      self.starting.catch(function () { self.starting = null; });
    }
    return self.starting;
  };

  /* A file of another build than the engine's: the site was rebuilt while the page was open.
   * Start again from a fresh meta.js, once; a file that still disagrees is damaged. */
  StaticBackend.prototype.search = function (params) {
    var self = this;
    var run = function () { return self.ready().then(function (engine) { return engine.search(params); }); };
    return run().catch(function (error) {
      if (!error || !error.stale) { throw error; }
      self.pack = new Pack(self.base, String(new Date().getTime()));
      self.engine = null;
      self.starting = null;
      return run();
    });
  };

  window.StudybookStaticSearch = StaticBackend;
  window.StudybookSearchInternals = { fromText: fromText, decodeText: decodeText, inflate: inflate, fnv1a: fnv1a, grams: grams, Analyzer: Analyzer };
})();
