// The chat page: consent first, then a streaming chat against /v1/chat/completions.
// The whole history is sent with each message, as the gateway's linking expects.
'use strict';
const $ = (id) => document.getElementById(id);
let history = [];
let busy = false;

function bubble(role, text) {
  const div = document.createElement('div');
  div.className = 'msg ' + role;
  div.textContent = text;
  $('log').appendChild(div);
  $('log').scrollTop = $('log').scrollHeight;
  return div;
}

async function loadModels() {
  const res = await fetch('/v1/models');
  const list = await res.json();
  for (const m of list.data) {
    const opt = document.createElement('option');
    opt.value = opt.textContent = m.id;
    $('model').appendChild(opt);
  }
}

async function send(text) {
  busy = true;
  $('send').disabled = true;
  bubble('user', text);
  const messages = history.concat([{ role: 'user', content: text }]);
  const out = bubble('assistant', '');
  let reply = '', done = false, error = '';
  try {
    const res = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: $('model').value, messages, stream: true }),
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new Error((body.error && body.error.message) || ('HTTP ' + res.status));
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done: eof } = await reader.read();
      if (eof) break;
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') { done = true; continue; }
          try {
            const obj = JSON.parse(data);
            if (obj.error) error = obj.error.message || 'error';
            const delta = obj.choices && obj.choices[0] && obj.choices[0].delta;
            if (delta && delta.content) { reply += delta.content; out.textContent = reply; }
          } catch (e) { /* ignore a malformed event */ }
        }
      }
    }
    if (!done) throw new Error(error || 'the reply was cut off');
    history = messages.concat([{ role: 'assistant', content: reply }]);
  } catch (e) {
    const err = bubble('error', 'Error: ' + e.message + ' (not added to the conversation)');
    err.title = 'Send your message again to retry';
  } finally {
    busy = false;
    $('send').disabled = false;
  }
}

$('form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('input').value;
  if (busy || !text.trim()) return;
  if (localStorage.getItem('wildchat-consent') !== 'yes') { $('consent').showModal(); return; }
  $('input').value = '';
  send(text);
});
$('input').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); $('form').requestSubmit(); }
});
$('new').addEventListener('click', () => { history = []; $('log').textContent = ''; });
$('consent').addEventListener('close', () => {
  if ($('consent').returnValue === 'agree') localStorage.setItem('wildchat-consent', 'yes');
});
if (localStorage.getItem('wildchat-consent') !== 'yes') $('consent').showModal();
loadModels();
