() => {
  // Installed once per page by the studio's load event: the page's CSS, the players' sync, the vote keys.
  if (window.__studioPage) return;
  window.__studioPage = true;
  const style = document.createElement('style');
  style.textContent = window.__studioCss || '';
  document.head.appendChild(style);

  const FRAME_S = 1 / 30;
  const players = () => [...document.querySelectorAll('#review-left video, #review-right video')];
  const isPlayer = target => players().includes(target);
  const others = target => players().filter(v => v !== target);
  let leader = null;

  // Play, pause and a seek while paused on either player drive the other.
  document.addEventListener('play', e => {
    if (!isPlayer(e.target)) return;
    leader = e.target;
    others(e.target).forEach(v => {
      if (Math.abs(v.currentTime - e.target.currentTime) > FRAME_S / 2) v.currentTime = e.target.currentTime;
      if (v.paused) v.play();
    });
  }, true);
  document.addEventListener('pause', e => {
    if (isPlayer(e.target)) others(e.target).forEach(v => { if (!v.paused) v.pause(); });
  }, true);
  document.addEventListener('seeked', e => {
    if (!isPlayer(e.target) || !e.target.paused) return;
    others(e.target).forEach(v => {
      if (v.paused && Math.abs(v.currentTime - e.target.currentTime) > FRAME_S / 2) v.currentTime = e.target.currentTime;
    });
  }, true);

  // While both play, the follower is kept within a frame of the leader: a seek for a big jump,
  // a slightly faster or slower rate for a small drift.
  const keepInSync = () => {
    const both = players();
    if (both.length === 2 && both.every(v => !v.paused && !v.seeking && v.readyState >= 2)) {
      const lead = both.includes(leader) ? leader : both[0];
      const follow = both.find(v => v !== lead);
      const drift = follow.currentTime - lead.currentTime;
      if (Math.abs(drift) > 3 * FRAME_S) {
        follow.currentTime = lead.currentTime + FRAME_S;  // seeking takes about a frame
        follow.playbackRate = 1;
      } else if (Math.abs(drift) > FRAME_S / 4) {
        follow.playbackRate = drift > 0 ? 0.8 : 1.25;
      } else {
        follow.playbackRate = 1;
      }
    }
    window.__studioSyncTimer = setTimeout(keepInSync, 50);
  };
  keepInSync();

  // Keys for the vote: left and right arrows, T for a tie, B for both bad; not while typing.
  const keys = { ArrowLeft: 'vote-left', ArrowRight: 'vote-right', t: 'vote-tie', b: 'vote-both-bad' };
  document.addEventListener('keydown', e => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    const typing = target && (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT'
      || (target.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(target.type)));
    const arena = document.querySelector('#review-arena');
    const id = keys[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (typing || !id || !arena || arena.offsetParent === null) return;
    const button = document.querySelector(`#${id}`);
    if (button && !button.disabled) { e.preventDefault(); button.click(); }
  });
}
