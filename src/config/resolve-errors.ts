/**
 * Error pages and file payloads once every section is read (HAProxy's proxy_check_errors and
 * http_check_http_reply):
 *
 * - each proxy's error lines, defaults' first, are applied in order into one reply per status:
 *   `errorfile`/`errorloc`/`http-error` set it (`http-error ... default-errorfiles` puts the
 *   built-in page back), `errorfiles NAME [CODE...]` takes the section's pages — an unknown
 *   section is an error, a CODE the section lacks a warning;
 * - a `deny`/`return` reply naming `errorfiles NAME` takes the section's page for its status,
 *   or no payload at all (with HAProxy's warning) when the section has none;
 * - file payloads get the contents the loader read (an empty `file` drops its content type).
 */
import type { HttpFinalRuleModel, HttpReplyModel, HttpRuleModel, ProxyErrorReply } from './model.ts';
import type { ConfigDraft, Place, ProxyDraft } from './draft.ts';
import type { HttpErrorsDraft } from './error-drafts.ts';
import type { DiagnosticList } from './errors.ts';
import { replyFileKey, type LoadedReplyFiles } from './reply-files.ts';
import { ERROR_STATUSES } from '../http/codec/error-pages.ts';

type Rule = HttpRuleModel | HttpFinalRuleModel;

export interface ProxyReplies {
  readonly httpRequestRules: Rule[];
  readonly httpResponseRules: Rule[];
  readonly errorReplies: ProxyErrorReply[];
}

export class ErrorResolver {
  readonly #draft: ConfigDraft;
  readonly #diagnostics: DiagnosticList;
  readonly #files: LoadedReplyFiles | undefined;
  /** Both halves of a `listen` share one result (and its messages are given once). */
  readonly #done = new Map<ProxyDraft, ProxyReplies>();

  constructor(draft: ConfigDraft, diagnostics: DiagnosticList, files: LoadedReplyFiles | undefined) {
    this.#draft = draft;
    this.#diagnostics = diagnostics;
    this.#files = files;
    if (files === undefined) {
      // parseConfigText without `files`: nothing can be read.
      for (const reference of draft.global.replyFiles) {
        this.#error(reference.place, reference.keyword, `${reference.prefix}cannot read file '${reference.path}': no file access was given to the parser${reference.suffix}`);
      }
    }
  }

  /** A proxy's rules with their replies resolved, and its replies by status. */
  forProxy(proxy: ProxyDraft): ProxyReplies {
    let done = this.#done.get(proxy);
    if (done === undefined) {
      done = {
        httpRequestRules: proxy.httpRequestRules.map((rule) => this.#rule(proxy, rule)),
        httpResponseRules: proxy.httpResponseRules.map((rule) => this.#rule(proxy, rule)),
        errorReplies: this.#errorReplies(proxy),
      };
      this.#done.set(proxy, done);
    }
    return done;
  }

  #error(place: Place, keyword: string, message: string): void {
    this.#diagnostics.error({ ...place, keyword, message });
  }

  #warning(place: Place, keyword: string, message: string): void {
    this.#diagnostics.warning({ ...place, keyword, message });
  }

  /** The first section of that name (HAProxy looks sections up in declaration order). */
  #section(name: string): HttpErrorsDraft | undefined {
    return this.#draft.global.httpErrors.find((section) => section.name === name);
  }

  #rule(proxy: ProxyDraft, rule: Rule): Rule {
    if (rule.action !== 'deny' && rule.action !== 'return') return rule;
    const place: Place = { ...rule.source, column: 0 };
    const keyword = `http-${proxy.httpRequestRules.includes(rule) ? 'request' : 'response'} ${rule.action}`;
    return { ...rule, reply: this.#reply(rule.reply, proxy, place, keyword) };
  }

  /** A reply with its file read and its `errorfiles NAME` looked up. */
  #reply(reply: HttpReplyModel, proxy: ProxyDraft, place: Place, keyword: string): HttpReplyModel {
    const body = reply.body;
    switch (body.kind) {
      case 'errorfile':
        return { ...reply, body: { ...body, content: this.#content('errorfile', body.path, body.content) } };
      case 'file': {
        const content = this.#content('file', body.path, body.content);
        return { ...reply, contentType: content === '' ? undefined : reply.contentType, body: { ...body, content } };
      }
      case 'lf-file':
        return { ...reply, body: { ...body, format: this.#content('lf-file', body.path, body.format) } };
      case 'errorfiles': {
        const section = this.#section(body.name);
        if (section === undefined) {
          // HAProxy's words, space before the final dot included.
          this.#error(place, keyword, `Proxy '${proxy.name}': unknown http-errors section '${body.name}' referenced by an http reply .`);
          return reply;
        }
        const page = section.replies.get(reply.status);
        if (page === undefined) {
          this.#warning(
            place,
            keyword,
            `Proxy '${proxy.name}': status '${reply.status}' referenced by an http reply not declared in http-errors section '${body.name}'.`,
          );
          return { status: reply.status, contentType: undefined, body: { kind: 'none' }, headers: [] };
        }
        return { ...this.#reply(page, proxy, place, keyword), status: reply.status };
      }
      default:
        return reply;
    }
  }

  /** What the loader read for that file; `given` when none was read (`errorloc`'s built message). */
  #content(use: 'errorfile' | 'file' | 'lf-file', path: string, given: string): string {
    return this.#files?.get(replyFileKey(use, path)) ?? given;
  }

  /** HAProxy's proxy_check_errors: the proxy's error lines applied in order. */
  #errorReplies(proxy: ProxyDraft): ProxyErrorReply[] {
    const table = new Map<number, HttpReplyModel>();
    for (const entry of proxy.errors) {
      if (entry.kind === 'reply') {
        const reply = this.#reply(entry.reply, proxy, entry.place, entry.keyword);
        if (reply.body.kind === 'errorpage') table.delete(entry.status);
        else table.set(entry.status, reply);
        continue;
      }
      const section = this.#section(entry.name);
      if (section === undefined) {
        this.#error(entry.place, entry.keyword, `proxy '${proxy.name}': unknown http-errors section '${entry.name}' (at ${entry.place.file}:${entry.place.line}).`);
        continue;
      }
      for (const status of entry.statuses) {
        const page = section.replies.get(status);
        if (page !== undefined) table.set(status, this.#reply(page, proxy, entry.place, entry.keyword));
        else if (entry.explicit) {
          this.#warning(
            entry.place,
            entry.keyword,
            `config: proxy '${proxy.name}' : status '${status}' not declared in http-errors section '${entry.name}' (at ${entry.place.file}:${entry.place.line}).`,
          );
        }
      }
    }
    return ERROR_STATUSES.filter((status) => table.has(status)).map((status) => ({ status, reply: table.get(status) as HttpReplyModel }));
  }
}
