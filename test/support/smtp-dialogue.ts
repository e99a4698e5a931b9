/**
 * The server side of an SMTP exchange, apart from any socket: fed what the client sent, it
 * splits the command lines (and the message after DATA, up to the line holding ".") and says
 * what to answer to each. The fake SMTP servers on node:net and on the fake runtime share it.
 */
export type SmtpStep = 'HELO' | 'EHLO' | 'MAIL' | 'RCPT' | 'DATA' | 'body' | 'QUIT' | string;

export class SmtpDialogue {
  #pending = '';
  #inData = false;
  readonly #reply: (step: SmtpStep) => string | undefined;

  /** `reply`: the answer to a command (upper-cased first word) or to the message ('body'); undefined answers nothing. */
  constructor(reply: (step: SmtpStep) => string | undefined) {
    this.#reply = reply;
  }

  /** The answers to what `text` completes, in order. */
  feed(text: string): string[] {
    const answers: string[] = [];
    this.#pending += text;
    for (;;) {
      let step: SmtpStep;
      if (this.#inData) {
        const end = this.#pending.indexOf('\r\n.\r\n');
        if (end < 0) break;
        this.#pending = this.#pending.slice(end + 5);
        this.#inData = false;
        step = 'body';
      } else {
        const eol = this.#pending.indexOf('\r\n');
        if (eol < 0) break;
        step = (this.#pending.slice(0, eol).split(/[ :]/)[0] ?? '').toUpperCase();
        this.#pending = this.#pending.slice(eol + 2);
        if (step === 'DATA') this.#inData = true;
      }
      const answer = this.#reply(step);
      if (answer !== undefined) answers.push(answer);
    }
    return answers;
  }
}
