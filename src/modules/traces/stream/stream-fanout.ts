import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { AllConfig } from 'src/config/configuration';
import type { CommittedAppend } from 'src/modules/sessions/ingest/ingest.types';
import { SessionsEvents } from 'src/modules/sessions/sessions.events';
import { redisOptionsFromUrl } from 'src/queue/redis-options';
import { STREAM_LIMITS, streamChannel } from './stream.constants';
import { StreamRepository } from './stream.repository';

/** Woken with the head of its workspace's stream (or without one: "look for yourself"). */
export type WakeListener = (head?: number) => void;

interface Notification {
  head: number;
  /** The process that published it: it has already woken its own connections. */
  origin: string;
}

/**
 * Tells this process's stream connections that their workspace's stream moved. Notifications
 * only wake readers, which then read the database after their own position, so a notification
 * that is lost, late, duplicated or reordered costs latency at most, never an event.
 *
 * - Local commits (`SessionsEvents.onCommitted`) wake local connections at once and are
 *   published to Redis as `{head, origin}` on `flightdeck:stream:<workspaceId>`.
 * - With Redis, one subscriber connection per process listens to the channels of the
 *   workspaces that have local connections (subscribed while the first is open, unsubscribed
 *   when the last closes) and wakes them.
 * - Without Redis, local commits are all there is; every `pollIntervalMs` the heads of the
 *   workspaces with local connections are read from PostgreSQL anyway (the safety net for a
 *   lost notification, a Redis outage, or several processes without Redis).
 */
@Injectable()
export class StreamFanout implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StreamFanout.name);
  private readonly origin = randomUUID();
  private readonly listeners = new Map<string, Set<WakeListener>>();
  private readonly subscriptions = new Map<string, Promise<unknown>>();
  private publisher?: Redis;
  private subscriber?: Redis;
  private redisDown = false;
  private stopListening?: () => void;
  private poller?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    private readonly sessionsEvents: SessionsEvents,
    private readonly repository: StreamRepository,
  ) {}

  onModuleInit(): void {
    const url = this.config.getOrThrow('queue', { infer: true }).redisUrl;
    if (url) {
      // disconnectTimeout: ioredis otherwise keeps a 2 s timer alive on shutdown when the socket is already gone.
      const options = { ...redisOptionsFromUrl(url), disconnectTimeout: 500 };
      // Publishing must never queue up behind an outage: while Redis is away, polls deliver.
      this.publisher = this.watch(
        new Redis({
          ...options,
          connectionName: 'flightdeck-stream-pub',
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
        }),
      );
      // Resubscribed by hand on every (re)connect, followed by a poll for what was missed meanwhile.
      this.subscriber = this.watch(
        new Redis({ ...options, connectionName: 'flightdeck-stream-sub', lazyConnect: true, autoResubscribe: false }),
      );
      this.subscriber.on('message', (channel: string, message: string) => this.received(channel, message));
      this.subscriber.on('ready', () => {
        for (const workspaceId of this.listeners.keys()) this.subscribe(workspaceId);
        void this.poll();
      });
    }
    this.stopListening = this.sessionsEvents.onCommitted((append) => this.committed(append));
    this.poller = setInterval(() => void this.poll(), STREAM_LIMITS.pollIntervalMs);
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    clearInterval(this.poller);
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
    this.listeners.clear();
    this.subscriptions.clear();
  }

  /** Connections of this process (for health and tests). */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /**
   * Wakes `listener` on every commit of the workspace from now on. Resolves once the Redis
   * subscription is confirmed (or after a short wait: the poll covers a slow or absent Redis).
   * Returns the function that stops it.
   */
  async register(workspaceId: string, listener: WakeListener): Promise<() => void> {
    let set = this.listeners.get(workspaceId);
    if (!set) {
      set = new Set();
      this.listeners.set(workspaceId, set);
      this.subscribe(workspaceId);
    }
    set.add(listener);
    const unregister = () => this.unregister(workspaceId, listener);
    const subscribed = this.subscriptions.get(workspaceId);
    if (subscribed && !this.redisDown) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        subscribed,
        new Promise((resolve) => (timer = setTimeout(resolve, STREAM_LIMITS.subscribeWaitMs))),
      ]).finally(() => clearTimeout(timer));
    }
    return unregister;
  }

  private unregister(workspaceId: string, listener: WakeListener): void {
    const set = this.listeners.get(workspaceId);
    if (!set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(workspaceId);
    this.subscriptions.delete(workspaceId);
    this.subscriber?.unsubscribe(streamChannel(workspaceId)).catch(() => undefined);
  }

  private subscribe(workspaceId: string): void {
    if (!this.subscriber) return;
    if (this.subscriber.status === 'wait') this.subscriber.connect().catch(() => undefined);
    const subscribed = this.subscriber.subscribe(streamChannel(workspaceId)).catch(() => undefined);
    this.subscriptions.set(workspaceId, subscribed);
  }

  /** Called inside the ingest writer's commit path: must be quick and must never throw. */
  private committed(append: CommittedAppend): void {
    try {
      this.wake(append.workspaceId, append.head);
      if (this.publisher?.status === 'ready') {
        const notification: Notification = { head: append.head, origin: this.origin };
        this.publisher.publish(streamChannel(append.workspaceId), JSON.stringify(notification)).catch(() => undefined);
      }
    } catch (error) {
      this.logger.warn(`stream notification failed: ${(error as Error).message}`);
    }
  }

  private received(channel: string, message: string): void {
    const workspaceId = channel.slice(streamChannel('').length);
    try {
      const { head, origin } = JSON.parse(message) as Notification;
      if (origin === this.origin) return;
      this.wake(workspaceId, Number.isSafeInteger(head) ? head : undefined);
    } catch {
      this.wake(workspaceId);
    }
  }

  private wake(workspaceId: string, head?: number): void {
    const set = this.listeners.get(workspaceId);
    if (!set) return;
    for (const listener of set) listener(head);
  }

  /** The safety net: one query for the heads of every workspace this process streams. */
  private async poll(): Promise<void> {
    if (this.polling || this.listeners.size === 0) return;
    this.polling = true;
    try {
      const heads = await this.repository.getHeads([...this.listeners.keys()]);
      for (const [workspaceId, head] of heads) this.wake(workspaceId, head);
    } catch (error) {
      this.logger.warn(`stream poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private watch(client: Redis): Redis {
    client.on('error', (error: Error) => {
      if (this.redisDown) return;
      this.redisDown = true;
      this.logger.warn(`Redis unavailable for the live stream, falling back to polling: ${error.message}`);
    });
    client.on('ready', () => {
      if (!this.redisDown) return;
      this.redisDown = false;
      this.logger.log('Redis available again for the live stream');
    });
    return client;
  }
}
