import { defineReliabilitySuite } from './reliability-suite.js';
import { profile } from './profiles/nats-profile.js';

defineReliabilitySuite(profile);
