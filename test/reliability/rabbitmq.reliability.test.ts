import { defineReliabilitySuite } from './reliability-suite.js';
import { profile } from './profiles/rabbitmq-profile.js';

defineReliabilitySuite(profile);
