"""Installing the app and using it without a network: manifest, service worker, offline pages, outbox."""
