import { defineReliabilitySuite } from './reliability-suite.js';
import { profile } from './profiles/postgres-profile.js';

defineReliabilitySuite(profile);
