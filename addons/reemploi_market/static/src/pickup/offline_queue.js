import { browser } from "@web/core/browser/browser";

/**
 * Operations of the driver's phone waiting to reach the server, kept in the
 * browser's localStorage so that they survive a lost connection and a
 * reload. Each operation carries an id made by the phone: the server
 * records it once, however many times it is sent again.
 */
export class OfflineQueue {
    constructor(key) {
        this.key = key;
    }

    static newId() {
        if (browser.crypto?.randomUUID) {
            return browser.crypto.randomUUID();
        }
        const random = () => Math.random().toString(16).slice(2, 10);
        return `${Date.now().toString(16)}-${random()}-${random()}`;
    }

    /** The operations waiting, oldest first (read again at each call). */
    all() {
        try {
            return JSON.parse(browser.localStorage.getItem(this.key) || "[]");
        } catch {
            return [];
        }
    }

    save(operations) {
        if (operations.length) {
            browser.localStorage.setItem(this.key, JSON.stringify(operations));
        } else {
            browser.localStorage.removeItem(this.key);
        }
    }

    /** Add an operation; throws when the browser's storage is full. */
    push(operation) {
        const operation_ = { uid: OfflineQueue.newId(), ...operation };
        this.save([...this.all(), operation_]);
        return operation_;
    }

    /** Forget the first operation with this id (sent, or refused). */
    remove(uid) {
        const operations = this.all();
        const index = operations.findIndex((operation) => operation.uid === uid);
        if (index >= 0) {
            operations.splice(index, 1);
            this.save(operations);
        }
    }

    get length() {
        return this.all().length;
    }
}
