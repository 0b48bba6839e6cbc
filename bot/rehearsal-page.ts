/**
 * The local rehearsal page: Bot Framework Web Chat, served from node_modules (no CDN), talking to
 * the same bot endpoint as Teams. Instead of a Direct Line service it posts each activity with
 * `deliveryMode: "expectReplies"` and renders the replies the bot returns in the response: a
 * standard Bot Framework delivery mode, so there is no home-made protocol to keep in step.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** `dist/webchat.js` is not an exported path of the package, so it is found beside its main file. */
export const WEBCHAT_BUNDLE = path.join(
  path.dirname(createRequire(import.meta.url).resolve('botframework-webchat')),
  '..',
  'dist',
  'webchat.js',
);

export const REHEARSAL_PAGE = `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ServiceSim rehearsal</title>
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: 0.5rem 1rem; background: #264653; color: white; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 1.1rem; margin: 0; }
  header button { background: transparent; color: white; border: 1px solid white; border-radius: 4px; padding: 0.25rem 0.75rem; cursor: pointer; }
  #webchat { flex: 1; min-height: 0; }
  #problem { display: none; padding: 0.5rem 1rem; background: #fdecea; color: #611a15; }
</style>
</head>
<body>
<header><h1>ServiceSim: rehearse a customer conversation</h1><button id="restart" type="button">New conversation</button></header>
<div id="problem" role="alert"></div>
<div id="webchat" role="main"></div>
<script src="/webchat.js"></script>
<script>
(function () {
  'use strict';
  // The learner and the conversation persist in this browser, so a reload (or a bot restart)
  // carries on the same rehearsal.
  var store = window.localStorage;
  function remembered(key, make) { var v = store.getItem(key); if (!v) { v = make(); store.setItem(key, v); } return v; }
  function newId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  var userId = remembered('servicesim.user', function () { return 'learner-' + newId(); });
  var conversationId = remembered('servicesim.conversation', newId);
  // No name: "You" is how Web Chat labels the learner's own messages, not who they are (a tutor would
  // see every local learner called "You"); the learner's id is what tells them apart.
  var user = { id: userId, role: 'user' };
  var bot = { id: 'servicesim', name: 'ServiceSim', role: 'bot' };
  var problem = document.getElementById('problem');

  // A minimal observable, as Web Chat expects of a Direct Line object.
  function Subject() { this.observers = []; this.last = undefined; }
  Subject.prototype.subscribe = function (observer) {
    var self = this;
    var o = typeof observer === 'function' ? { next: observer } : observer;
    self.observers.push(o);
    if (self.replay && self.last !== undefined) o.next(self.last);
    return { unsubscribe: function () { self.observers = self.observers.filter(function (x) { return x !== o; }); } };
  };
  Subject.prototype.next = function (value) { this.last = value; this.observers.slice().forEach(function (o) { o.next && o.next(value); }); };

  var activities = new Subject();
  var status = new Subject(); status.replay = true;

  // What this conversation has shown, kept in this browser so a reload shows the briefing and the
  // customer's last words again rather than a blank page. The newest MAX_KEPT only; when the
  // browser's storage is full, fewer.
  var MAX_KEPT = 200;
  var keptKey = 'servicesim.kept.' + conversationId;
  var kept = [];
  try { kept = JSON.parse(store.getItem(keptKey) || '[]') || []; } catch (e) { kept = []; }
  function keep(activity) {
    kept.push(activity);
    if (kept.length > MAX_KEPT) kept = kept.slice(-MAX_KEPT);
    try { store.setItem(keptKey, JSON.stringify(kept)); }
    catch (e) { kept = kept.slice(-20); try { store.setItem(keptKey, JSON.stringify(kept)); } catch (e2) { /* shown, not kept */ } }
  }
  function show(activity) { activities.next(activity); keep(activity); }
  // A reload shows the conversation so far, as it was shown, before anything new: once Web Chat is
  // listening, which it is by the time the first answer from the bot (or the failure to reach it) comes.
  var replayed = false;
  function replayKept() {
    if (replayed) return;
    replayed = true;
    kept.slice().forEach(function (activity) { activities.next(activity); });
  }
  // New ids carry on after the kept ones, so Web Chat never takes a new reply for one it has shown.
  var sequence = kept.length;
  function stamp(activity) {
    activity.id = activity.id || conversationId + '|' + String(++sequence).padStart(6, '0');
    activity.timestamp = new Date(Date.now() + sequence).toISOString();
    return activity;
  }

  function send(activity) {
    // Whatever Web Chat fills in, this page speaks for this learner in this conversation.
    var outgoing = Object.assign({ locale: 'en-GB' }, activity, {
      channelId: 'webchat-local',
      serviceUrl: window.location.origin,
      conversation: { id: conversationId },
      from: user,
      recipient: bot,
      deliveryMode: 'expectReplies'
    });
    outgoing.id = outgoing.id || newId();
    return fetch('/api/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(outgoing) })
      .then(function (response) {
        if (!response.ok) throw new Error('The bot answered ' + response.status + '.');
        return response.status === 200 ? response.json() : { activities: [] };
      })
      .then(function (body) {
        replayKept();
        problem.style.display = 'none';
        (body && body.activities || []).forEach(function (reply) { show(stamp(reply)); });
      })
      .catch(function (error) {
        replayKept();
        problem.textContent = 'Could not reach the bot: ' + error.message + ' Is "npm start" still running?';
        problem.style.display = 'block';
      });
  }

  var directLine = {
    activity$: activities,
    connectionStatus$: status,
    postActivity: function (activity) {
      var id = newId();
      var echoed = stamp(Object.assign({}, activity, { id: id, from: user, conversation: { id: conversationId } }));
      show(echoed);
      var result = new Subject();
      // Taken: the learner's message shows as sent at once (not "Sending" while the customer thinks),
      // and the customer as typing until the answer comes. A bot out of reach is said in the banner.
      setTimeout(function () {
        result.next(id);
        if (activity.type === 'message') activities.next(stamp({ type: 'typing', from: bot, conversation: { id: conversationId } }));
      }, 0);
      send(Object.assign({}, activity, { id: id }));
      return result;
    },
    end: function () {},
    getSessionId: function () { var s = new Subject(); setTimeout(function () { s.next(''); }, 0); return s; }
  };

  window.WebChat.renderWebChat({ directLine: directLine, userID: userId, username: 'You', locale: 'en-GB' }, document.getElementById('webchat'));
  status.next(0); status.next(1); status.next(2);
  // First contact: the bot welcomes a learner it has not met.
  send({ type: 'conversationUpdate', membersAdded: [user], id: newId() });

  // Messages sent while the learner is not in a turn (a tutor's feedback) wait on the server for this
  // page: collected every few seconds, each shown once (the ids shown are remembered in this browser).
  var collected = {};
  try { collected = JSON.parse(store.getItem('servicesim.shown') || '{}') || {}; } catch (e) { collected = {}; }
  function collect() {
    fetch('/local/conversations/' + encodeURIComponent(conversationId) + '/activities', { cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : { activities: [] }; })
      .then(function (body) {
        (body && body.activities || []).forEach(function (activity) {
          if (!activity.id || collected[activity.id]) return;
          collected[activity.id] = true;
          store.setItem('servicesim.shown', JSON.stringify(collected));
          show(stamp(activity));
        });
      })
      .catch(function () {});
  }
  collect();
  setInterval(collect, 3000);

  document.getElementById('restart').addEventListener('click', function () {
    store.removeItem(keptKey);
    store.removeItem('servicesim.conversation');
    window.location.reload();
  });
})();
</script>
</body>
</html>
`;
