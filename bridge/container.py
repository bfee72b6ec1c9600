"""The service container: every service built once, with its dependencies passed in.

``create_app`` builds one and keeps it in ``app.extensions["bridge"]``; the CLI,
the views and the job worker all reach services through it. Background threads
start only on request (:meth:`Services.start_background`), never at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bridge.accounts.credentials import PasswordHasher
from bridge.accounts.service import AccountService
from bridge.accounts.throttle import LoginThrottle
from bridge.accounts.tokens import AccessTokens
from bridge.catalog.duplicates import DuplicateDetector
from bridge.catalog.images import ImageLoader
from bridge.catalog.indexing import ProductIndexer
from bridge.catalog.service import DEMO_DIR, CatalogService
from bridge.connections.crypto import CredentialBox
from bridge.connections.scheduler import SyncScheduler
from bridge.connections.service import ConnectorService
from bridge.connections.syncing import SyncService
from bridge.db import Database, utcnow
from bridge.embedding.clip import ClipEmbedder
from bridge.embedding.descriptor import VisualDescriptor
from bridge.embedding.service import EmbeddingService
from bridge.embedding.text import TextEmbedder
from bridge.events.service import EventService
from bridge.jobs.callbacks import JobCallbacks
from bridge.jobs.service import JobService
from bridge.jobs.worker import JobWorker
from bridge.mail import Mailer
from bridge.outbound import OutboundPolicy
from bridge.recommend.service import RecommendService
from bridge.search.autocomplete import AutocompleteService
from bridge.search.channels import Channels
from bridge.search.discovery import VisualDiscovery
from bridge.search.lexicon import LexicalIndexes
from bridge.search.semantic import SemanticSearch
from bridge.search.service import SearchService
from bridge.storefront.demo import DemoStorefront
from bridge.storefront.ratelimit import RateLimiter
from bridge.storefront.service import PublicKeyService
from bridge.storefront.settings import WebsiteSettingsService
from bridge.vectors.store import VectorStore


@dataclass
class Services:
    config: dict[str, Any]
    db: Database
    mailer: Mailer
    accounts: AccountService
    vectors: VectorStore
    embeddings: EmbeddingService
    indexer: ProductIndexer
    catalog: CatalogService
    search: SearchService
    discovery: VisualDiscovery
    semantic: SemanticSearch
    autocomplete: AutocompleteService
    public_keys: PublicKeyService
    website_settings: WebsiteSettingsService
    events: EventService
    recommend: RecommendService
    demo_storefront: DemoStorefront
    jobs: JobService
    job_worker: JobWorker
    job_callbacks: JobCallbacks
    connectors: ConnectorService
    syncs: SyncService
    sync_scheduler: SyncScheduler

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Each dependency's state, for ``/readyz``; a failing check is reported, not raised."""
        return {
            "database": _check(lambda: (self.db.ping(), {"ok": True, "backend": self.db.engine.dialect.name})[1]),
            "vector_store": _check(self.vectors.ping),
            "models": _check(self.embeddings.status),
        }

    def start_background(self) -> None:
        """Start the job worker (``make run`` does this in its one serving process)."""
        self.job_worker.start()

    def close(self) -> None:
        self.sync_scheduler.shutdown()
        self.syncs.close()
        self.job_worker.stop()
        self.job_callbacks.close()
        self.autocomplete.close()
        self.indexer.close()
        self.vectors.close()
        self.db.dispose()


def _check(probe: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return probe()
    except Exception as exc:  # any failure means "not ready"; say which, without internals
        return {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}


def build_services(config: dict[str, Any], clock: Callable[[], datetime] = utcnow) -> Services:
    db = Database(config["DATABASE_URL"])
    mailer = Mailer(config["SMTP_URL"], Path(config["DATA_DIR"]) / "outbox", config["MAIL_FROM"])
    tokens = AccessTokens(config["SECRET_KEY"], config["ACCESS_TOKEN_TTL"], clock=lambda: clock().timestamp())
    passwords = PasswordHasher(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"])
    throttle = LoginThrottle(db, config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW"], clock)
    accounts = AccountService(
        db, mailer, tokens, passwords, throttle, config["PUBLIC_URL"], config["VERIFICATION_TTL"], clock
    )
    vectors = VectorStore(config["DATA_DIR"], config["CHROMA_URL"])
    embeddings = EmbeddingService(
        ClipEmbedder(config["CLIP_MODEL"], config["CLIP_PRETRAINED"]),
        VisualDescriptor(),
        TextEmbedder(config["TEXT_MODEL"]),
    )
    policy = OutboundPolicy(allow_private=config["ALLOW_PRIVATE_URLS"])
    images = ImageLoader(policy, config["PUBLIC_URL"], DEMO_DIR / "images")
    duplicates = DuplicateDetector(db, vectors, clock)
    indexer = ProductIndexer(db, vectors, embeddings, images, duplicates, clock)
    catalog = CatalogService(db, indexer, duplicates, config["PUBLIC_URL"])
    channels = Channels(vectors, embeddings, LexicalIndexes(db, catalog))
    search = SearchService(db, channels, embeddings, catalog, images, clock)
    discovery = VisualDiscovery(vectors, embeddings, catalog, images)
    semantic = SemanticSearch(search, catalog)
    autocomplete = AutocompleteService(db, catalog)
    public_keys = PublicKeyService(db, clock, RateLimiter())
    website_settings = WebsiteSettingsService(db, clock)
    events = EventService(db, clock)
    recommend = RecommendService(search, catalog, events)
    demo_storefront = DemoStorefront(public_keys, catalog, search)
    jobs = JobService(db, config["SECRET_KEY"], clock, notify=lambda: job_worker.notify())
    job_callbacks = JobCallbacks(db, jobs, policy, clock, **config.get("CALLBACK_RETRY", {}))
    job_worker = JobWorker(db, catalog, job_callbacks.job_finished, clock)
    return Services(
        config,
        db,
        mailer,
        accounts,
        vectors,
        embeddings,
        indexer,
        catalog,
        search,
        discovery,
        semantic,
        autocomplete,
        public_keys,
        website_settings,
        events,
        recommend,
        demo_storefront,
        jobs,
        job_worker,
        job_callbacks,
        *_connector_services(config, db, catalog, policy, clock),
    )


def _connector_services(
    config: dict[str, Any], db: Database, catalog: CatalogService, policy: OutboundPolicy, clock: Callable[[], datetime]
) -> tuple[ConnectorService, SyncService, SyncScheduler]:
    connectors = ConnectorService(
        db,
        CredentialBox(config["SECRET_KEY"]),
        policy,
        config["PUBLIC_URL"],
        clock,
        sleep=config.get("CONNECTOR_SLEEP"),  # tests pass a fake, so backoff never waits
        disabled=tuple(config["CONNECTORS_DISABLED"]),
    )
    syncs = SyncService(db, connectors, catalog, clock)
    scheduler = SyncScheduler(connectors.scheduled, syncs.run_scheduled, Path(config["DATA_DIR"]) / "scheduler.lock")
    return connectors, syncs, scheduler
