// The service worker. It keeps the app's static files and the offline pages (the same for everyone)
// and nothing else: pages, fragments and photos always come from the network and are never stored,
// so no private writing is on the device unless it waits in the outbox (static/outbox.js).
"use strict";

const RELEASE = {{ release|tojson }};
const CACHE = "journal-static-" + RELEASE;
const PRECACHE = {{ precache|tojson }};
const OFFLINE = {{ offline|tojson }};
const SHELLS = {{ shells|tojson }};
// Where a navigation that fails lands: the offline form for writing, else the offline page.
const FALLBACKS = {
  "/entries/new": SHELLS.entry, "/checkins/new": SHELLS.checkin, "/voice/new": SHELLS.voice, "/outbox": "/outbox",
};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Offline pages are fetched without cookies, so no copy can hold anyone's session.
    await Promise.all(PRECACHE.map(async (url) => {
      const response = await fetch(url, { credentials: "omit", cache: url.includes("?v=") ? "default" : "no-cache" });
      if (!response.ok) throw new Error("precache failed: " + url);
      await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

async function fromNetworkOrOffline(event) {
  try {
    const preloaded = event.request.method === "GET" ? await event.preloadResponse : undefined;
    return preloaded || await fetch(event.request);
  } catch (offline) {
    const path = new URL(event.request.url).pathname;
    const fallback = event.request.method === "GET" && FALLBACKS[path] || OFFLINE;
    return (await caches.match(fallback, { cacheName: CACHE })) || Response.error();
  }
}

async function fromCacheFirst(request) {
  const hit = await caches.match(request, { cacheName: CACHE });
  return hit || fetch(request);
}

// Navigations pass through here only so that a failed one lands on an offline page: no browser has another way
// to answer a page that cannot be reached. Navigation preload sends the request while the worker starts.
// Measured with bench/lighthouse.py (5 interleaved runs), the repeat load scored the same with no fetch handler
// at all, with static routes (event.addRoutes) serving /static/ from the cache without starting the worker,
// and with navigations raced against the network: its blocking time comes from the page's own start, not
// from this worker. So the worker stays this simple.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkOrOffline(event));
  } else if (request.method === "GET" && url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(fromCacheFirst(request));
  }
  // Everything else (fragments, saves, photos) goes to the network untouched and is never stored.
});

// Reminders (journal/reminders/push.py): the message carries its own neutral words, the screen to open and the
// actions; the notification shows those and nothing else. One tag: a new reminder replaces one still shown.
const ICON = {{ icon|tojson }};
const STOP = {{ stop|tojson }};
const ACTIONS = ["not-today", "stop"];

function sameOriginPath(url) {
  try {
    const found = new URL(String(url), self.location.origin);
    return found.origin === self.location.origin ? found.pathname + found.search : "/";
  } catch (notAUrl) {
    return "/";
  }
}

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (unreadable) { message = {}; }
  const title = typeof message.title === "string" && message.title ? message.title : "Integration journal";
  const actions = (Array.isArray(message.actions) ? message.actions : [])
    .filter((one) => one && ACTIONS.includes(one.action) && typeof one.title === "string")
    .map((one) => ({ action: one.action, title: one.title }));
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof message.body === "string" ? message.body : "",
    icon: ICON,
    badge: ICON,
    tag: "reminder",
    renotify: false,
    actions,
    data: { url: sameOriginPath(message.url || "/") },
  }));
});

// "Not today" only closes it: each kind of reminder comes at most once a day, so nothing more of it comes today.
// "Stop these reminders" opens a page with one button; nothing changes without it. Anything else opens the screen
// the message names, in a window of the app already open if there is one. Only this site's addresses are opened.
self.addEventListener("notificationclick", (event) => {
  const notification = event.notification;
  notification.close();
  if (event.action === "not-today") return;
  const path = event.action === "stop" ? STOP : sameOriginPath((notification.data || {}).url || "/");
  event.waitUntil((async () => {
    const target = new URL(path, self.location.origin).href;
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin !== self.location.origin) continue;
      const focused = await client.focus().catch(() => client);
      const moved = "navigate" in focused ? await focused.navigate(target).catch(() => null) : null;
      if (moved) return;
    }
    await self.clients.openWindow(target);
  })());
});
