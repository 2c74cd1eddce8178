// Forums: progressive enhancement only. Every action works without this file:
// score forms post normally, the board has a refresh link, the timer shows the durations.
(() => {
  "use strict";

  // --- Scores saved without reloading the page ---------------------------------------------
  function clearErrors(form) {
    form.querySelectorAll(".is-invalid").forEach((el) => {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
    });
    form.querySelectorAll("[data-js-error]").forEach((el) => el.remove());
  }

  function showErrors(form, errors) {
    let first = null;
    Object.entries(errors).forEach(([name, messages]) => {
      const field = form.querySelector(`[name="${name}"]`);
      const text = messages.join(" ");
      if (field) {
        field.classList.add("is-invalid");
        field.setAttribute("aria-invalid", "true");
        const feedback = document.createElement("div");
        feedback.className = "invalid-feedback d-block";
        feedback.dataset.jsError = "";
        feedback.id = `${field.id}-js-error`;
        feedback.textContent = text;
        field.setAttribute("aria-describedby", feedback.id);
        field.insertAdjacentElement("afterend", feedback);
        first = first || field;
      } else {
        const alert = document.createElement("div");
        alert.className = "alert alert-danger";
        alert.setAttribute("role", "alert");
        alert.dataset.jsError = "";
        alert.textContent = text;
        form.prepend(alert);
      }
    });
    if (first) first.focus();
  }

  function markScored(pitchId) {
    const badge = document.querySelector(`[data-pitch="${pitchId}"] [data-score-badge]`);
    if (badge) {
      badge.textContent = "Noté";
      badge.classList.remove("score-todo");
      badge.classList.add("score-done");
    }
  }

  document.querySelectorAll("form[data-score-form]").forEach((form) => {
    const status = form.querySelector("[data-score-status]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      status.textContent = "Enregistrement…";
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json", "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        const data = await response.json();
        if (data.ok) {
          status.textContent = `✓ ${data.message}`;
          markScored(data.pitch);
        } else {
          status.textContent = "Non enregistré : corrigez les champs signalés.";
          showErrors(form, data.errors || {});
        }
      } catch (error) {
        // Network trouble: fall back to the plain form, which reports on its own page.
        status.textContent = "";
        form.submit();
        return;
      } finally {
        button.disabled = false;
      }
    });
    // Any change after a save makes the status stale.
    form.addEventListener("input", () => {
      status.textContent = "";
    });
  });

  // --- Live board: poll a small JSON endpoint --------------------------------------------
  // The server answers 304 Not Modified while nothing the board shows has changed: the last
  // answer's ETag goes back in If-None-Match (the browser's own cache is left out of it, so
  // that the 304 reaches this script).
  const board = document.querySelector("[data-board-url]");
  if (board) {
    const labels = { done: "✓ noté", todo: "à noter", conflict: "conflit", recused: "déporté·e" };
    const status = board.querySelector("[data-board-status]");
    let etag = null;
    const checkedAt = () =>
      new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const show = (data) => {
      Object.entries(data.cells).forEach(([key, state]) => {
        const cell = board.querySelector(`[data-cell="${key}"]`);
        if (cell && !cell.classList.contains(`cell-${state}`)) {
          cell.className = `text-center cell-${state}`;
          cell.textContent = labels[state];
        }
      });
      Object.entries(data.jurors).forEach(([id, count]) => {
        const total = board.querySelector(`[data-juror-total="${id}"]`);
        if (total) total.textContent = count;
      });
      board.querySelectorAll("[data-pitch-col]").forEach((th) => {
        th.classList.toggle("board-current", Number(th.dataset.pitchCol) === data.current);
      });
    };
    const refresh = async () => {
      try {
        const headers = { Accept: "application/json" };
        if (etag) headers["If-None-Match"] = etag;
        const response = await fetch(board.dataset.boardUrl, {
          headers,
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.status === 304) {
          status.textContent = `Mis à jour à ${checkedAt()}`;
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        show(data);
        etag = response.headers.get("ETag");
        status.textContent = `Mis à jour à ${data.at}`;
      } catch (error) {
        status.textContent = "Connexion perdue : nouvel essai dans quelques secondes.";
      }
    };
    window.setInterval(refresh, 5000);
  }

  // --- Timer: pitch time, then question time ----------------------------------------------
  const timer = document.querySelector("[data-timer]");
  if (timer) {
    const clock = timer.querySelector("[data-timer-clock]");
    const phaseLabel = timer.querySelector("[data-timer-phase]");
    const announce = timer.querySelector("[data-timer-announce]");
    const controls = timer.querySelector("[data-timer-controls]");
    const durations = {
      pitch: Number(timer.dataset.pitchSeconds),
      questions: Number(timer.dataset.questionSeconds),
    };
    const names = { pitch: "Pitch", questions: "Questions du jury" };
    let phase = "pitch";
    let remaining = durations.pitch;
    let ticking = null;

    const format = (seconds) => {
      const s = Math.max(0, seconds);
      return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    };
    const render = () => {
      clock.textContent = format(remaining);
      phaseLabel.textContent = names[phase];
      timer.classList.toggle("timer-questions", phase === "questions");
      timer.classList.toggle("timer-warning", remaining <= 30 && remaining > 0);
      timer.classList.toggle("timer-over", remaining <= 0);
    };
    const stop = () => {
      window.clearInterval(ticking);
      ticking = null;
    };
    const startPhase = (name) => {
      phase = name;
      remaining = durations[name];
      announce.textContent = `${names[name]} : ${format(remaining)}`;
      render();
    };
    const tick = () => {
      remaining -= 1;
      if (remaining <= 0 && phase === "pitch") {
        startPhase("questions");
        return;
      }
      if (remaining <= 0) {
        stop();
        announce.textContent = "Temps écoulé";
      }
      render();
    };
    controls.hidden = false;
    timer.querySelector("[data-timer-start]").addEventListener("click", () => {
      if (!ticking) ticking = window.setInterval(tick, 1000);
      render();
    });
    timer.querySelector("[data-timer-pause]").addEventListener("click", stop);
    timer.querySelector("[data-timer-questions]").addEventListener("click", () => {
      startPhase("questions");
    });
    timer.querySelector("[data-timer-reset]").addEventListener("click", () => {
      stop();
      startPhase("pitch");
    });
    timer.querySelector("[data-timer-fullscreen]").addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else timer.requestFullscreen?.();
    });
    render();
  }
})();
