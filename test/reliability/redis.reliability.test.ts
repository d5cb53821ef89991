import { defineReliabilitySuite } from './reliability-suite.js';
import { profile } from './profiles/redis-profile.js';

defineReliabilitySuite(profile);
