// The live types register themselves on the builder: the Subscription root first.
import './subscription.ts';
import './indicator-change.ts';
import './dossier-event.ts';
import './alert.ts';
import './source-status-change.ts';
