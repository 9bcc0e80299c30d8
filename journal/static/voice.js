// Recording a voice note: one tap to record (or none, when Today's "Speak" opened the page), a timer and a
// sound level, pause and resume, stop by hand or at the limit, then listen back before saving. The recording
// goes into the form's file field, so the form sends it like a chosen file: through the outbox (outbox.js),
// which keeps it on this phone while there is no network, or as an ordinary post. Opus in WebM where the
// browser records it, AAC in MP4 where it records that (iPhone), chosen by asking the browser.
// Screen readers hear the state as it changes (recording, paused, stopped, each minute), not every second.
// Without this script, or without a microphone the browser lets the page use, the file field stays.
(function () {
  "use strict";

  var TYPES = ["audio/webm;codecs=opus", "audio/mp4;codecs=mp4a.40.2", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"];

  function supported(type) {
    try { return MediaRecorder.isTypeSupported(type); } catch (e) { return false; }
  }

  function pickType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < TYPES.length; i++) if (supported(TYPES[i])) return TYPES[i];
    return "";
  }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + ("0" + (whole % 60)).slice(-2);
  }

  function minutesWords(count) { return count === 1 ? "1 minute" : count + " minutes"; }

  function setUp(form) {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.Blob) return;
    var box = form.querySelector("[data-voice-recorder]");
    var time = box.querySelector("[data-voice-time]");
    var level = box.querySelector("[data-voice-level]");
    var said = box.querySelector("[data-voice-said]");
    var startButton = box.querySelector("[data-voice-start]");
    var pauseButton = box.querySelector("[data-voice-pause]");
    var stopButton = box.querySelector("[data-voice-stop]");
    var againButton = box.querySelector("[data-voice-again]");
    var preview = box.querySelector("[data-voice-preview]");
    var input = form.querySelector('input[type="file"][name="audio"]');
    var fileLabel = form.querySelector("[data-voice-file-label]");
    var limit = parseInt(form.getAttribute("data-max-seconds"), 10) || 600;

    var state = "idle"; // idle, starting, recording, paused, stopping, done
    var recorder = null;
    var stream = null;
    var chunks = [];
    var elapsed = 0; // seconds recorded before the current stretch
    var stretchStart = 0;
    var ticker = null;
    var lastMinute = 0;
    var audio = null; // the level meter's context
    var frame = null;
    var previewUrl = null;
    var submitAfter = null; // Save pressed while recording: stop, then save
    var stopWords = "";

    box.hidden = false;
    if (fileLabel) fileLabel.textContent = "Or choose a recording from this phone";

    function tell(words) { said.textContent = words; }

    function seconds() { return elapsed + (state === "recording" ? (Date.now() - stretchStart) / 1000 : 0); }

    function show() {
      var going = state === "recording" || state === "paused";
      startButton.hidden = state !== "idle" && state !== "starting";
      startButton.disabled = state === "starting";
      pauseButton.hidden = !going;
      pauseButton.textContent = state === "paused" ? "Resume" : "Pause";
      stopButton.hidden = !going;
      againButton.hidden = state !== "done";
      preview.hidden = state !== "done";
    }

    function tick() {
      var now = seconds();
      if (now >= limit) {
        time.textContent = clock(limit);
        finish(minutesWords(limit / 60) + " reached: the recording stopped by itself.");
        return;
      }
      time.textContent = clock(now);
      var minute = Math.floor(now / 60);
      if (minute > lastMinute && state === "recording") {
        lastMinute = minute;
        tell(limit - now <= 60 ? minutesWords(minute) + " recorded. Less than a minute left." : minutesWords(minute) + " recorded.");
      }
    }

    function startLevel() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context || !level) return;
      try {
        audio = new Context();
        var analyser = audio.createAnalyser();
        analyser.fftSize = 512;
        audio.createMediaStreamSource(stream).connect(analyser);
        var samples = new Uint8Array(analyser.fftSize);
        var draw = function () {
          analyser.getByteTimeDomainData(samples);
          var sum = 0;
          for (var i = 0; i < samples.length; i++) { var v = (samples[i] - 128) / 128; sum += v * v; }
          level.value = state === "recording" ? Math.min(1, Math.sqrt(sum / samples.length) * 4) : 0;
          frame = window.requestAnimationFrame(draw);
        };
        if (audio.state === "suspended" && audio.resume) audio.resume().catch(function () {});
        draw();
      } catch (e) { audio = null; }
    }

    function stopLevel() {
      if (frame) window.cancelAnimationFrame(frame);
      frame = null;
      if (audio && audio.close) audio.close().catch(function () {});
      audio = null;
      if (level) level.value = 0;
    }

    function begin() {
      if (state !== "idle") return;
      state = "starting";
      show();
      tell("Starting to record…");
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (got) {
        stream = got;
        var type = pickType();
        var options = type ? { mimeType: type, audioBitsPerSecond: type.indexOf("mp4") !== -1 ? 64000 : 32000 } : {};
        try { recorder = new MediaRecorder(stream, options); } catch (e) { recorder = new MediaRecorder(stream); }
        chunks = [];
        recorder.ondataavailable = function (event) { if (event.data && event.data.size) chunks.push(event.data); };
        recorder.onstop = kept;
        recorder.start(1000);
        elapsed = 0;
        lastMinute = 0;
        stretchStart = Date.now();
        state = "recording";
        startLevel();
        ticker = setInterval(tick, 250);
        time.textContent = "0:00";
        show();
        tell("Recording. Up to " + minutesWords(limit / 60) + ".");
        stopButton.focus();
      }, function () {
        state = "idle";
        show();
        tell("The microphone could not be used. Allow it for this site in your browser’s settings, or choose a recording below.");
      });
    }

    function togglePause() {
      if (state === "recording" && recorder.pause) {
        elapsed = seconds();
        recorder.pause();
        state = "paused";
        tell("Paused at " + clock(elapsed) + ".");
      } else if (state === "paused") {
        recorder.resume();
        stretchStart = Date.now();
        state = "recording";
        tell("Recording again.");
      }
      show();
    }

    function finish(words) {
      if (state !== "recording" && state !== "paused") return;
      elapsed = Math.min(limit, seconds());
      state = "stopping";
      clearInterval(ticker);
      ticker = null;
      stopLevel();
      stopWords = words;
      tell(words);
      recorder.stop();
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    }

    function kept() {
      var type = (recorder.mimeType || (chunks[0] && chunks[0].type) || "audio/webm").split(";")[0];
      var extension = type === "audio/mp4" ? "m4a" : type === "audio/ogg" ? "ogg" : "webm";
      var blob = new Blob(chunks, { type: type });
      var file;
      try { file = new File([blob], "voice-note." + extension, { type: type }); } catch (e) { file = blob; file.name = "voice-note." + extension; }
      form.voiceRecording = file;
      try {
        var transfer = new DataTransfer();
        transfer.items.add(file);
        input.files = transfer.files; // an ordinary post (and the outbox) send it as the chosen file
      } catch (e) { /* an older browser: the outbox sends form.voiceRecording */ }
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(blob);
      preview.src = previewUrl;
      state = "done";
      time.textContent = clock(elapsed);
      show();
      if (submitAfter) {
        var submitter = submitAfter;
        submitAfter = null;
        if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
      } else {
        tell(stopWords + " " + clock(elapsed) + " recorded. Listen back, or save it.");
        againButton.focus();
      }
    }

    function clear() {
      form.voiceRecording = null;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = null;
      preview.removeAttribute("src");
      input.value = "";
      state = "idle";
      time.textContent = "0:00";
      show();
    }

    startButton.addEventListener("click", begin);
    pauseButton.addEventListener("click", togglePause);
    stopButton.addEventListener("click", function () { finish("Stopped."); });
    againButton.addEventListener("click", function () { clear(); begin(); });
    // Saving while still recording keeps what was said: stop first, then save.
    form.addEventListener("submit", function (event) {
      if (state === "recording" || state === "paused" || state === "stopping") {
        event.preventDefault();
        event.stopImmediatePropagation();
        submitAfter = event.submitter || form.querySelector('button[type="submit"]');
        finish("Stopped. Saving…");
      }
    }, true);
    form.addEventListener("reset", function () { setTimeout(clear, 0); });
    show();

    if (/[?&]start=1(&|$)/.test(window.location.search)) {
      if (window.history && history.replaceState) history.replaceState(null, "", window.location.pathname);
      begin();
    }
  }

  function start() { document.querySelectorAll("form[data-voice-form]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
