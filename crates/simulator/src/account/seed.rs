//! The seed: "Northwind Coffee Roasters", the account a new simulator starts with.

use time::OffsetDateTime;

use super::{
    Account, Agent, Conversation, KnowledgeSource, Organization, PhoneNumber, Playbook,
    PublishableKey, Skill, Version, Webhook, rfc3339,
};

impl Account {
    /// The account a new simulator starts with: "Northwind Coffee Roasters", an online coffee
    /// shop with a café, four agents, and 50 conversations over the week before `now`.
    pub fn seeded(now: OffsetDateTime) -> Self {
        let day = time::Duration::DAY;
        let at = |ago: time::Duration| rfc3339(now - ago);
        let mut account = Account {
            organization: Organization {
                id: "org_northwind".into(),
                name: "Northwind Coffee Roasters".into(),
            },
            agents: Vec::new(),
            skills: Vec::new(),
            playbooks: Vec::new(),
            knowledge_sources: Vec::new(),
            numbers: Vec::new(),
            publishable_keys: Vec::new(),
            webhooks: Vec::new(),
            conversations: Vec::new(),
            next_ids: Default::default(),
        };
        let agents = [
            (
                "Support Bot",
                "Answers order, shipping and subscription questions for Northwind's online shop.",
                "warm",
                "Hi, you've reached Northwind Coffee. How can I help with your order today?",
                vec!["voice", "chat"],
                3,
                Some(2),
            ),
            (
                "Sales Assistant",
                "Recommends beans and brewing gear and sets up subscriptions.",
                "enthusiastic",
                "Hey there! Looking for a new favourite coffee?",
                vec!["chat"],
                2,
                Some(2),
            ),
            (
                "After-hours Line",
                "Takes messages when the café is closed and answers opening-hours questions.",
                "calm",
                "Thanks for calling Northwind. We're closed right now, but I can take a message.",
                vec!["voice"],
                1,
                None,
            ),
            (
                "Wholesale Intake",
                "Qualifies cafés and offices asking about wholesale accounts.",
                "professional",
                "Hello, this is Northwind wholesale. May I ask which business you're calling from?",
                vec!["voice"],
                1,
                None,
            ),
        ];
        for (i, (name, persona, tone, greeting, channels, version, published)) in
            agents.into_iter().enumerate()
        {
            let id = account.next_id("agt");
            let created = 90 - 20 * i as i32;
            let versions: Vec<Version> = (1..=published.unwrap_or(0))
                .map(|v| Version {
                    id: format!("ver_{}_{v}", id.trim_start_matches("agt_")),
                    version: v,
                    note: if v == 1 {
                        "First release".into()
                    } else {
                        "Shipping policy and transfer rules".into()
                    },
                    published_at: at(day * (created - 30 * (v as i32 - 1)).max(2)),
                })
                .collect();
            account.agents.push(Agent {
                published_version_id: versions.last().map(|v| v.id.clone()),
                versions,
                id,
                name: name.into(),
                persona: persona.into(),
                tone: tone.into(),
                greeting: greeting.into(),
                primary_language: "en-US".into(),
                enabled_channels: channels.into_iter().map(String::from).collect(),
                version,
                created_at: at(day * created),
                updated_at: at(day * 3),
            });
        }
        let [support, sales, after_hours, wholesale] =
            ["agt_0001", "agt_0002", "agt_0003", "agt_0004"];

        let skills = [
            (
                support,
                "Track shipment",
                "Looks up a parcel's status by order number.",
                "native_rest",
                false,
                false,
            ),
            (
                support,
                "Transfer to a human",
                "Warm-transfers the caller to the shop team.",
                "transfer",
                false,
                false,
            ),
            (
                support,
                "Send SMS receipt",
                "Texts the caller a copy of their order.",
                "sms",
                true,
                true,
            ),
            (
                sales,
                "Product recommendations",
                "Searches the catalog for beans that match a taste.",
                "knowledge_query",
                false,
                false,
            ),
            (
                sales,
                "Create subscription",
                "Starts a coffee subscription in the shop.",
                "http_webhook",
                true,
                true,
            ),
            (
                after_hours,
                "Take a message",
                "Emails the café team the caller's message.",
                "email",
                true,
                false,
            ),
            (
                wholesale,
                "Book a tasting",
                "Books a cupping session in the café calendar.",
                "calendar",
                true,
                true,
            ),
        ];
        for (agent_id, name, description, skill_type, is_write, confirm) in skills {
            let id = account.next_id("skl");
            account.skills.push(Skill {
                id,
                agent_id: agent_id.into(),
                name: name.into(),
                description: description.into(),
                skill_type: skill_type.into(),
                is_write,
                requires_confirmation: confirm,
                is_enabled: true,
            });
        }

        let playbooks = [
            (
                support,
                "Return request",
                "Collects what a customer wants to return and why, then files it.",
                vec![
                    "Ask for the order number",
                    "Ask which items",
                    "Ask the reason",
                    "Confirm",
                    "File the return",
                ],
            ),
            (
                wholesale,
                "Wholesale inquiry",
                "Qualifies a wholesale lead before booking a tasting.",
                vec![
                    "Ask for the business name",
                    "Ask for weekly volume",
                    "Ask for the delivery area",
                    "Confirm",
                    "Book a tasting",
                ],
            ),
        ];
        for (agent_id, name, description, steps) in playbooks {
            let id = account.next_id("pbk");
            account.playbooks.push(Playbook {
                id,
                agent_id: agent_id.into(),
                name: name.into(),
                description: description.into(),
                steps: steps.into_iter().map(String::from).collect(),
            });
        }

        let sources = [
            (
                support,
                "url",
                "Shipping policy",
                Some("https://northwind-coffee.example/shipping"),
                "indexed",
            ),
            (support, "faq", "Order FAQ", None, "indexed"),
            (
                sales,
                "url",
                "Product catalog",
                Some("https://northwind-coffee.example/shop"),
                "indexed",
            ),
            (
                sales,
                "url",
                "Brewing guides",
                Some("https://northwind-coffee.example/brew"),
                "pending",
            ),
            (after_hours, "text", "Opening hours", None, "indexed"),
        ];
        for (agent_id, kind, label, url, status) in sources {
            let id = account.next_id("kns");
            account.knowledge_sources.push(KnowledgeSource {
                id,
                agent_id: agent_id.into(),
                kind: kind.into(),
                label: label.into(),
                url: url.map(String::from),
                status: status.into(),
            });
        }

        let numbers = [
            ("+14155554421", "local", Some(support), 1.15),
            ("+14155550188", "local", Some(sales), 1.15),
            ("+18885550142", "toll_free", Some(after_hours), 2.00),
            ("+16285557730", "local", None, 1.15),
        ];
        for (e164, number_type, agent, cost) in numbers {
            let id = account.next_id("num");
            account.numbers.push(PhoneNumber {
                id,
                e164: e164.into(),
                provider: "twilio".into(),
                number_type: number_type.into(),
                default_agent_id: agent.map(String::from),
                monthly_cost: cost,
                created_at: at(day * 60),
            });
        }

        let keys = [
            (
                support,
                "Website widget",
                "https://northwind-coffee.example",
                "flowyte_pk_live_7f3a9c2e41d8b605",
            ),
            (
                support,
                "Staging widget",
                "https://staging.northwind-coffee.example",
                "flowyte_pk_live_0c5be19a77f24d3e",
            ),
            (
                sales,
                "Shop chat",
                "https://northwind-coffee.example",
                "flowyte_pk_live_b81d46f0e29c5a73",
            ),
        ];
        for (agent_id, name, origin, key) in keys {
            let id = account.next_id("pk");
            account.publishable_keys.push(PublishableKey {
                id,
                agent_id: agent_id.into(),
                name: name.into(),
                key_public: key.into(),
                allowed_origins: vec![origin.into()],
                rate_limit_rpm: 60,
            });
        }

        for (url, events) in [
            (
                "https://hooks.northwind-coffee.example/flowyte",
                vec!["call.ended", "conversation.summarized"],
            ),
            (
                "https://hooks.slack.example/services/T0NW/B0NW/relay",
                vec!["call.transferred"],
            ),
        ] {
            let id = account.next_id("whk");
            account.webhooks.push(Webhook {
                id,
                url: url.into(),
                events: events.into_iter().map(String::from).collect(),
                is_active: true,
            });
        }

        account.conversations = seed_conversations(now, &mut account.next_ids);
        account
    }
}

/// 50 conversations: 8 yesterday (UTC; two failed, one transferred), a few earlier today,
/// the rest over the five days before yesterday. Deterministic apart from the dates.
fn seed_conversations(
    now: OffsetDateTime,
    next_ids: &mut std::collections::BTreeMap<String, u64>,
) -> Vec<Conversation> {
    const TOPICS: [(&str, &str, &str); 10] = [
        (
            "agt_0001",
            "order status",
            "Caller asked where order {o} was; the agent read out the tracking status (out for delivery).",
        ),
        (
            "agt_0001",
            "returns",
            "Customer wanted to return a grinder from order {o}; the agent walked them through the return request.",
        ),
        (
            "agt_0002",
            "recommendations",
            "Visitor asked for a low-acid espresso; the agent recommended Sumatra Mandheling and Brazil Cerrado.",
        ),
        (
            "agt_0001",
            "subscriptions",
            "Subscriber asked to skip next month's delivery; the agent explained how to pause in the account page.",
        ),
        (
            "agt_0003",
            "opening hours",
            "Caller asked whether the café is open on the holiday Monday; the agent read out the holiday hours.",
        ),
        (
            "agt_0002",
            "subscriptions",
            "Visitor started a two-bag monthly subscription after comparing the roast levels.",
        ),
        (
            "agt_0004",
            "wholesale",
            "An office manager asked about weekly deliveries for 40 people; the agent booked a tasting.",
        ),
        (
            "agt_0001",
            "shipping",
            "Caller asked about shipping to Canada; the agent explained rates and the 5–8 day window.",
        ),
        (
            "agt_0003",
            "message",
            "Caller left a message for the café manager about a catering order for Saturday.",
        ),
        (
            "agt_0001",
            "damaged item",
            "Customer reported a broken mug in order {o}; the agent apologised and offered a replacement.",
        ),
    ];
    // Each failure has one cause, said the same way every time, so "why did calls fail?"
    // can group them (copilot/calls.rs reads these phrases). All three happen on orders,
    // so their topic is "order status".
    let failed_summaries = [
        "The Track shipment skill timed out twice looking up order {o}; the caller hung up before the agent could answer.",
        "The caller's audio kept dropping; the call ended after the agent asked for the order number a third time.",
        "The Track shipment skill returned an error for order {o}; the agent apologised and the call ended.",
    ];
    let transferred_summaries = [
        "Caller disputed a double charge on order {o}; the agent transferred them to the shop team.",
        "Caller asked for a wholesale discount above the agent's limit; transferred to the sales lead.",
    ];
    let abandoned_summaries = [
        "Caller hung up during the greeting.",
        "Visitor closed the chat after the first answer.",
    ];

    let midnight = now.replace_time(time::Time::MIDNIGHT);
    let yesterday = midnight - time::Duration::DAY;
    // Start times: 8 spread over yesterday's working hours, up to 3 earlier today (only hours
    // already past), the rest over the five days before yesterday.
    let mut starts = Vec::with_capacity(50);
    for i in 0..8 {
        starts.push(yesterday + time::Duration::minutes(8 * 60 + 97 * i));
    }
    let hours_today = (now - midnight).whole_hours();
    for i in 0..3.min(hours_today) {
        starts.push(midnight + time::Duration::minutes(47 + 60 * i));
    }
    let mut i = 0i64;
    while starts.len() < 50 {
        starts.push(yesterday - time::Duration::minutes(131 + 173 * i));
        i += 1;
    }
    starts.sort();
    starts.reverse();

    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let yesterday_slots: Vec<usize> = (0..starts.len())
        .filter(|&i| starts[i] >= yesterday && starts[i] < midnight)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &started)| {
            let r = next();
            let order = format!("#{}", 10_400 + (r % 500));
            let (agent_id, topic, template) = TOPICS[(r >> 8) as usize % TOPICS.len()];
            // Outcomes: yesterday always holds two failures and one transfer; elsewhere
            // roughly 70% completed, 12% transferred, 10% abandoned, 8% failed.
            let pos = yesterday_slots.iter().position(|&s| s == i);
            let roll = (r >> 20) % 100;
            let outcome = match pos {
                Some(1 | 5) => "error",
                Some(3) => "transferred",
                Some(_) => "completed",
                None if roll < 8 => "error",
                None if roll < 20 => "transferred",
                None if roll < 30 => "abandoned",
                None => "completed",
            };
            let pick = |list: &[&str]| list[(r >> 32) as usize % list.len()].to_owned();
            // Yesterday's two failures have different causes (a timeout, then a dropped line).
            let failure = match pos {
                Some(1) => failed_summaries[0].to_owned(),
                Some(5) => failed_summaries[1].to_owned(),
                _ => pick(&failed_summaries),
            };
            let (agent_id, summary, topic) = match outcome {
                "error" => ("agt_0001", failure, "order status"),
                "transferred" => (agent_id, pick(&transferred_summaries), "billing"),
                "abandoned" => (agent_id, pick(&abandoned_summaries), "unknown"),
                _ => (agent_id, template.to_owned(), topic),
            };
            let channel = if agent_id == "agt_0002" {
                "chat"
            } else {
                "voice"
            };
            let duration = match outcome {
                "abandoned" => 6 + (r % 20) as u32,
                "error" => 40 + (r % 90) as u32,
                _ => 70 + (r % 300) as u32,
            };
            let n = next_ids.entry("conv".into()).or_insert(0);
            *n += 1;
            Conversation {
                id: format!("conv_{:04}", *n),
                agent_id: agent_id.into(),
                channel: channel.into(),
                started_at: rfc3339(started),
                duration_s: duration,
                caller_number: format!("+1415555{:04}", 1000 + (r >> 40) % 9000),
                outcome: outcome.into(),
                primary_topic: topic.into(),
                summary: summary.replace("{o}", &order),
                sentiment_score: match outcome {
                    "error" => -0.6,
                    "transferred" => -0.2,
                    "abandoned" => 0.0,
                    _ => 0.4 + ((r >> 48) % 50) as f32 / 100.0,
                },
            }
        })
        .collect()
}
